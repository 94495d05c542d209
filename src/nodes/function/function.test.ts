import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { helperNodes } from '../test-kit.js';
import type { Msg } from '../../runtime/types.js';

const tab = { id: 'f', type: 'tab' };
const fnNode = (props: Record<string, unknown>, wires: string[][] = [['h1']]) => ({ id: 'fn', type: 'function', z: 'f', outputs: wires.length, ...props, wires });
const next = (id: string, count = 1): Promise<Msg[]> =>
  new Promise((resolve) => {
    const got: Msg[] = [];
    helper.getNode(id)!.on('input', (m: Msg) => {
      got.push(m);
      if (got.length === count) resolve(got);
    });
  });

afterEach(() => helper.unload());

describe('function node', () => {
  it('runs user code on each message and keeps the order of a burst', async () => {
    await helper.load([], [tab, fnNode({ func: 'msg.payload = msg.payload * 2; return msg;' }), ...helperNodes(['h1'])]);
    const got = next('h1', 50);
    for (let i = 0; i < 50; i++) helper.getNode('fn')!.receive({ payload: i });
    assert.deepEqual((await got).map((m) => m.payload), Array.from({ length: 50 }, (_, i) => i * 2));
  });

  it('sends to several outputs and skips null ones', async () => {
    await helper.load([], [tab, fnNode({ func: 'return [null, [{payload:1},{payload:2}]];' }, [['h1'], ['h2']]), ...helperNodes(['h1', 'h2'])]);
    let first = 0;
    helper.getNode('h1')!.on('input', () => first++);
    const got = next('h2', 2);
    helper.getNode('fn')!.receive({ payload: 0 });
    assert.deepEqual((await got).map((m) => m.payload), [1, 2]);
    assert.equal(first, 0);
  });

  it('uses flow and global context, env and node.status', async () => {
    process.env.REDOUBT_FN_TEST = 'env-ok';
    await helper.load([], [
      tab,
      fnNode({ func: "flow.set('n', (flow.get('n') || 0) + 1); msg.payload = [flow.get('n'), global.get('g'), env.get('REDOUBT_FN_TEST')]; node.status({text:'ran'}); return msg;" }),
      ...helperNodes(['h1']),
    ]);
    helper.runtime()!.contexts.getGlobalContext().set('g', 'global-ok');
    const got = next('h1', 2);
    helper.getNode('fn')!.receive({});
    helper.getNode('fn')!.receive({});
    const msgs = await got;
    assert.deepEqual(msgs[1]!.payload, [2, 'global-ok', 'env-ok']);
  });

  it('reports a thrown error to catch nodes with the message', async () => {
    await helper.load([], [
      tab,
      fnNode({ func: "throw new Error('bad input ' + msg.payload);" }, [[]]),
      { id: 'c', type: 'catch', z: 'f', scope: null, wires: [['h1']] },
      ...helperNodes(['h1']),
    ]);
    const got = next('h1');
    helper.getNode('fn')!.receive({ payload: 42 });
    const [m] = await got;
    assert.match((m!.error as { message: string }).message, /bad input 42/);
    assert.equal(m!.payload, 42);
  });

  it('passes an error given to node.done() on to catch nodes as it is, without setting msg.error', async () => {
    await helper.load([], [
      tab,
      fnNode({ func: "node.done(new RangeError('out of range ' + msg.payload));" }, [[]]),
      { id: 'c', type: 'catch', z: 'f', scope: null, wires: [['h1']] },
      ...helperNodes(['h1']),
    ]);
    const got = next('h1');
    helper.getNode('fn')!.receive({ payload: 7 });
    const [m] = await got;
    assert.equal((m!.error as { message: string }).message, 'RangeError: out of range 7');
    assert.equal(m!._error, undefined);
  });

  it('cannot reach process, require or the host', async () => {
    await helper.load([], [
      tab,
      fnNode({ func: "msg.payload = [typeof process, typeof require, (function(){ try { return this.constructor.constructor('return typeof process')(); } catch (e) { return 'blocked'; } })()]; return msg;" }),
      ...helperNodes(['h1']),
    ]);
    const got = next('h1');
    helper.getNode('fn')!.receive({});
    const [m] = await got;
    assert.deepEqual(m!.payload, ['undefined', 'undefined', 'undefined']);
  });

  it('stops an endless loop, reports it, and keeps serving other messages', async () => {
    helper.settings({ functionTimeoutMs: 100 });
    try {
      await helper.load([], [
        tab,
        fnNode({ func: 'if (msg.payload === "spin") { while (true) {} } return msg;' }),
        { id: 'c', type: 'catch', z: 'f', scope: null, wires: [['h2']] },
        ...helperNodes(['h1', 'h2']),
      ]);
      const caught = next('h2');
      const ok = next('h1');
      helper.getNode('fn')!.receive({ payload: 'spin' });
      const [err] = await caught;
      assert.equal((err!.error as { message: string }).message, 'Script execution timed out after 100ms');
      helper.getNode('fn')!.receive({ payload: 'fine' });
      assert.equal((await ok)[0]!.payload, 'fine');
    } finally {
      helper.settings({ functionTimeoutMs: 1000 });
    }
  });

  it("applies the node's own timeout (seconds, as saved by Node-RED) and passes the timeout Error to catch nodes", async () => {
    await helper.load([], [
      tab,
      fnNode({ timeout: '0.020', func: 'while (true) {}' }, [[]]),
      { id: 'c', type: 'catch', z: 'f', scope: null, wires: [['h1']] },
      ...helperNodes(['h1']),
    ]);
    const caught = next('h1');
    helper.getNode('fn')!.receive({ payload: 1 });
    const [m] = await caught;
    assert.equal((m!.error as { message: string }).message, 'Script execution timed out after 20ms');
  });

  it('keeps its output count as node.outputs and an input _msgid of any type on what it sends', async () => {
    await helper.load([], [tab, fnNode({ func: 'return [[{ payload: node.outputCount }, { payload: 2 }]];' }), ...helperNodes(['h1'])]);
    assert.equal((helper.getNode('fn') as unknown as { outputs: number }).outputs, 1);
    const got = next('h1', 2);
    helper.getNode('fn')!.receive({ _msgid: 1234 as unknown as string });
    assert.deepEqual((await got).map((m) => [m._msgid, m.payload]), [[1234, 1], [1234, 2]]);
  });

  it('logs a returned non-message as an error line that catch nodes do not see', async () => {
    await helper.load([], [
      tab,
      fnNode({ func: 'return true;' }),
      { id: 'c', type: 'catch', z: 'f', scope: null, wires: [['h2']] },
      ...helperNodes(['h1', 'h2']),
    ]);
    let caught = 0;
    helper.getNode('h2')!.on('input', () => caught++);
    helper.getNode('fn')!.receive({});
    const isLine = ([e]: [{ type?: string; msg: unknown }]) => e.type === 'function';
    while (!helper.log().args.some(isLine)) await new Promise((r) => setTimeout(r, 5));
    const [entry] = helper.log().args.find(isLine)!;
    assert.deepEqual([entry.level, entry.msg], [20, 'Function tried to send a message of type boolean']);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(caught, 0);
  });

  it('logs a syntax error once deployed, without a message, and the node stays to answer with it', async () => {
    await helper.load([], [tab, fnNode({ func: 'return msg;;}' }), ...helperNodes(['h1'])]);
    const isSyntax = ([e]: [{ type?: string; msg: unknown }]) => e.type === 'function' && /Unexpected token/.test(String(e.msg));
    for (let i = 0; i < 200 && !helper.log().args.some(isSyntax); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(helper.log().args.some(isSyntax), 'the syntax error is logged');
    assert.notEqual(helper.getNode('fn'), null);
  });

  it('has the syntax error logged when the deploy ends for a node with On Start code, which the deploy waits for', async () => {
    await helper.load([], [tab, fnNode({ initialize: 'node.log("start")', func: 'return msg;;}' }), ...helperNodes(['h1'])]);
    assert.ok(helper.log().args.some(([e]) => e.type === 'function' && /Unexpected token/.test(String(e.msg))));
  });

  it("has run On Start code's synchronous part when the deploy ends, and not waited for the rest", async () => {
    const started = Date.now();
    await helper.load([], [
      tab,
      fnNode({ initialize: "node.warn('starting'); await new Promise((r) => setTimeout(r, 300));", func: 'return msg;' }),
      ...helperNodes(['h1']),
    ]);
    assert.ok(helper.log().args.some(([e]) => e.type === 'function' && e.msg === 'starting'));
    assert.ok(Date.now() - started < 300, 'the deploy did not wait for the promise');
  });

  it('refuses libs unless external modules are enabled, naming the module', async () => {
    await helper.load([], [tab, fnNode({ func: 'return msg;', libs: [{ var: 'fs', module: 'fs' }] }), ...helperNodes(['h1'])]);
    assert.equal(helper.getNode('fn'), null);
    assert.ok(helper.log().args.some(([e]) => /'fs'.*external modules are disabled/.test(String(e.msg))));
  });

  it('runs On Start before the first message and On Stop on close', async () => {
    await helper.load([], [
      tab,
      fnNode({ initialize: "context.set('ready', 'yes');", func: "msg.payload = context.get('ready'); return msg;", finalize: "node.warn('stopping');" }),
      ...helperNodes(['h1']),
    ]);
    const got = next('h1');
    helper.getNode('fn')!.receive({});
    assert.equal((await got)[0]!.payload, 'yes');
    await helper.runtime()!.engine.setFlows([]);
    assert.ok(helper.log().args.some(([e]) => e.msg === 'stopping' && e.level === 30));
  });
});
