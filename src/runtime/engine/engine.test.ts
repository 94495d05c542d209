import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { collect } from '../../nodes/test-kit.js';
import type { RedApi } from '../../compat/red-api.js';
import type { Msg } from '../types.js';
import { defineNode } from '../definition/index.js';
import { number } from '../definition/property-kinds.js';

/** Test node types, registered the way a contrib module does. */
function testNodes(RED: RedApi) {
  RED.nodes.registerType('pass', function (this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg: Msg, send: any, done: any) => {
      send(msg);
      done();
    });
  } as any);
  RED.nodes.registerType('fail', function (this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg: Msg, _send: any, done: any) => {
      if (config.mode === 'throw') throw new Error('thrown here');
      if (config.mode === 'reject') return Promise.reject(new Error('rejected here'));
      done(new Error('done with error'));
    });
  } as any);
  RED.nodes.registerType('multi', function (this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg: Msg, send: any, done: any) => {
      send([[{ payload: 1 }, { payload: 2 }], null, { payload: 3 }]);
      done();
    });
  } as any);
  // Sends what the message carries in `out`, as it is: for the shapes of an array send.
  RED.nodes.registerType('sender', function (this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg: Msg, send: any, done: any) => {
      send(msg.out);
      done();
    });
  } as any);
  RED.nodes.registerType('statusy', function (this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg: Msg, _send: any, done: any) => {
      this.status({ fill: 'green', shape: 'dot', text: String(msg.payload) });
      done();
    });
  } as any);
  RED.nodes.registerType('slow-close', function (this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('close', (_removed: boolean, done: () => void) => {
      (globalThis as any).__closed = ((globalThis as any).__closed ?? 0) + 1;
      setTimeout(done, Number(config.delay ?? 0));
    });
  } as any);
  RED.nodes.registerType('bad-start', function (this: any, config: any) {
    RED.nodes.createNode(this, config);
    throw new Error('cannot start');
  } as any);
  RED.nodes.registerType('env-echo', function (this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg: Msg, send: any, done: any) => {
      msg.payload = { prop: config.prop, env: this.getEnv(config.name), nodeId: this.getEnv('NR_NODE_ID') };
      send(msg);
      done();
    });
  } as any);
}


const tab = { id: 't1', type: 'tab', label: 'Flow 1' };

afterEach(() => helper.unload());

describe('message delivery', () => {
  it('delivers asynchronously, assigns _msgid, gives the first wire the original and others clones', async () => {
    await helper.load(testNodes, [tab, { id: 'p', type: 'pass', z: 't1', wires: [['h1', 'h2', 'h3']] }, ...['h1', 'h2', 'h3'].map((id) => ({ id, type: 'helper', z: 't1', wires: [] }))]);
    const got = Promise.all(['h1', 'h2', 'h3'].map((id) => collect(id, 1)));
    const original: Msg = { payload: { deep: [1, 2] }, when: new Date(0), buf: Buffer.from('ab') };
    let deliveredSync = false;
    helper.getNode('h1')!.on('input', () => (deliveredSync = true));
    helper.getNode('p')!.receive(original);
    assert.equal(deliveredSync, false, 'delivery must not be synchronous');
    const [[a], [b], [c]] = await got;
    assert.equal(a, original);
    assert.notEqual(b, original);
    assert.notEqual(c, original);
    assert.deepEqual(b!.payload, original.payload);
    assert.ok(b!.when instanceof Date && Buffer.isBuffer(b!.buf));
    assert.equal(typeof original._msgid, 'string');
    assert.equal(b!._msgid, original._msgid);
  });

  it('sends arrays per output, several messages per output, and skips null outputs', async () => {
    await helper.load(testNodes, [
      tab,
      { id: 'm', type: 'multi', z: 't1', wires: [['h1'], ['h2'], ['h3']] },
      { id: 'h1', type: 'helper', z: 't1', wires: [] },
      { id: 'h2', type: 'helper', z: 't1', wires: [] },
      { id: 'h3', type: 'helper', z: 't1', wires: [] },
    ]);
    let second = 0;
    helper.getNode('h2')!.on('input', () => second++);
    const one = collect('h1', 2);
    const three = collect('h3', 1);
    helper.getNode('m')!.receive({ payload: 0 });
    assert.deepEqual((await one).map((m) => m.payload), [1, 2]);
    assert.equal((await three)[0]!.payload, 3);
    assert.equal(second, 0);
  });

  it('routes an array send of one message to one node as it is, and the other shapes by the same rules', async () => {
    await helper.load(testNodes, [
      tab,
      { id: 's', type: 'sender', z: 't1', wires: [['h1'], ['h2', 'h3']] },
      { id: 'h1', type: 'helper', z: 't1', wires: [] },
      { id: 'h2', type: 'helper', z: 't1', wires: [] },
      { id: 'h3', type: 'helper', z: 't1', wires: [] },
    ]);
    const s = helper.getNode('s')!;
    const seen: Record<string, Msg[]> = { h1: [], h2: [], h3: [] };
    for (const id of Object.keys(seen)) helper.getNode(id)!.on('input', (m: Msg) => seen[id]!.push(m));
    const settle = () => new Promise((r) => setTimeout(r, 20));

    // One message on the first output (one wire), none on the second: delivered as it is, given an id.
    const only: Msg = { payload: 'only' };
    s.receive({ out: [only, null] });
    await settle();
    assert.equal(seen.h1!.length, 1);
    assert.equal(seen.h1![0], only);
    assert.match(String(only._msgid), /^[0-9a-f]{16}$/);
    // An id it has is kept; a one-element array is the same send.
    s.receive({ out: [{ payload: 'kept', _msgid: 'abc' }] });
    s.receive({ out: [{ payload: 'fresh' }] });
    await settle();
    assert.equal(seen.h1![1]!._msgid, 'abc');
    assert.match(String(seen.h1![2]!._msgid), /^[0-9a-f]{16}$/);
    // The two-wire output: the first wire the message, the other a clone.
    const both: Msg = { payload: 'both' };
    s.receive({ out: [null, both] });
    await settle();
    assert.equal(seen.h2![0], both);
    assert.notEqual(seen.h3![0], both);
    assert.deepEqual(seen.h3![0], both);
    // Two messages without ids share one.
    s.receive({ out: [{ payload: 1 }, { payload: 2 }] });
    await settle();
    assert.equal(seen.h1![3]!._msgid, seen.h2![1]!._msgid);
    // Nothing wired, nothing sent; a number on a wired output is the node's error, logged (with
    // no message, as in Node-RED, it reaches no catch node).
    s.receive({ out: [null, null, { payload: 'unwired' }] });
    s.receive({ out: [5] });
    await settle();
    assert.equal(seen.h1!.length, 4);
    assert.equal(seen.h2!.length, 2);
    const logged = helper.log().args.filter(([e]) => e.level === 20 && e.id === 's');
    assert.equal(logged.length, 1);
    assert.match(String(logged[0]![0].msg), /Function tried to send a message of type number/);
  });

  it('does not start disabled nodes nor disabled tabs', async () => {
    await helper.load(testNodes, [
      tab,
      { id: 't2', type: 'tab', disabled: true },
      { id: 'p', type: 'pass', z: 't1', d: true, wires: [] },
      { id: 'q', type: 'pass', z: 't2', wires: [] },
      { id: 'r', type: 'pass', z: 't1', wires: [] },
    ]);
    assert.equal(helper.getNode('p'), null);
    assert.equal(helper.getNode('q'), null);
    assert.ok(helper.getNode('r'));
  });

  it('keeps a flow with unknown types from starting, lists them, and starts the others', async () => {
    await helper.load(testNodes, [
      tab,
      { id: 't2', type: 'tab' },
      { id: 'a', type: 'pass', z: 't1', wires: [] },
      { id: 'b', type: 'no-such-type', z: 't1', wires: [] },
      { id: 'c', type: 'pass', z: 't2', wires: [] },
    ]);
    assert.equal(helper.getNode('a'), null);
    assert.ok(helper.getNode('c'));
    assert.deepEqual(helper.runtime()!.engine.missingTypes(), ['no-such-type']);
    const warned = helper.log().args.some(([e]) => /missing node types: no-such-type/.test(String(e.msg)));
    assert.ok(warned);
  });

  it('holds what a node sends during start-up until the deploy has wired every node', async () => {
    const early = defineNode({
      type: 'early-sender', category: 'common', inputs: 0, outputs: 1, properties: {},
      create(_config, node) {
        setTimeout(() => node.send({ payload: 'early' }), 0);
      },
    });
    const slow = defineNode({
      type: 'slow-start', category: 'common', inputs: 1, outputs: 0, properties: {},
      async create() {
        await new Promise((r) => setTimeout(r, 80));
      },
    });
    const got: Msg[] = [];
    await helper.load((RED: RedApi) => {
      const registry = helper.runtime()!.registry;
      registry.define(early, 'test');
      registry.define(slow, 'test');
      void RED;
    }, [tab, { id: 'e', type: 'early-sender', z: 't1', wires: [['h']] }, { id: 's', type: 'slow-start', z: 't1', wires: [] }, { id: 'h', type: 'helper', z: 't1', wires: [] }]);
    helper.getNode('h')!.on('input', (m: Msg) => got.push(m));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got.map((m) => m.payload), ['early']);
  });

  it('keeps the other nodes running when one fails to start', async () => {
    await helper.load(testNodes, [tab, { id: 'bad', type: 'bad-start', z: 't1', wires: [] }, { id: 'ok', type: 'pass', z: 't1', wires: [] }]);
    assert.equal(helper.getNode('bad'), null);
    assert.ok(helper.getNode('ok'));
    assert.ok(helper.log().args.some(([e]) => /cannot start/.test(String(e.msg)) && e.level === 20));
  });
});

describe('errors, status and completion', () => {
  for (const mode of ['done', 'throw', 'reject']) {
    it(`routes an error (${mode}) with its msg to catch nodes`, async () => {
      await helper.load(testNodes, [
        tab,
        { id: 'f', type: 'fail', z: 't1', mode, wires: [] },
        { id: 'c', type: 'catch', z: 't1', scope: null, uncaught: false, wires: [['h']] },
        { id: 'h', type: 'helper', z: 't1', wires: [] },
      ]);
      const got = collect('h', 1);
      helper.getNode('f')!.receive({ payload: 'p' });
      const [m] = await got;
      assert.equal(m!.payload, 'p');
      const error = m!.error as { message: string; source: { id: string; type: string; count: number } };
      assert.match(error.message, /here|done with error/);
      assert.deepEqual(error.source, { id: 'f', type: 'fail', name: undefined, count: 1 });
    });
  }

  it('honours catch scopes and sends to uncaught-only catch nodes only when nothing else caught', async () => {
    await helper.load(testNodes, [
      tab,
      { id: 'f1', type: 'fail', z: 't1', wires: [] },
      { id: 'f2', type: 'fail', z: 't1', wires: [] },
      { id: 'scoped', type: 'catch', z: 't1', scope: ['f1'], wires: [['hs']] },
      { id: 'uncaught', type: 'catch', z: 't1', scope: null, uncaught: true, wires: [['hu']] },
      { id: 'hs', type: 'helper', z: 't1', wires: [] },
      { id: 'hu', type: 'helper', z: 't1', wires: [] },
    ]);
    const scoped: string[] = [];
    const uncaught: string[] = [];
    helper.getNode('hs')!.on('input', (m: Msg) => scoped.push((m.error as any).source.id));
    helper.getNode('hu')!.on('input', (m: Msg) => uncaught.push((m.error as any).source.id));
    helper.getNode('f1')!.receive({});
    helper.getNode('f2')!.receive({});
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(scoped, ['f1']);
    assert.deepEqual(uncaught, ['f2']);
  });

  it('logs an error with no catch node instead of losing it', async () => {
    await helper.load(testNodes, [tab, { id: 'f', type: 'fail', z: 't1', wires: [] }]);
    helper.getNode('f')!.receive({});
    await new Promise((r) => setTimeout(r, 10));
    assert.ok(helper.log().args.some(([e]) => e.level === 20 && e.id === 'f'));
  });

  it('sends status to status nodes and publishes it for the editor', async () => {
    await helper.load(testNodes, [
      tab,
      { id: 's', type: 'statusy', z: 't1', wires: [] },
      { id: 'st', type: 'status', z: 't1', scope: null, wires: [['h']] },
      { id: 'h', type: 'helper', z: 't1', wires: [] },
    ]);
    const published: Array<[string, unknown]> = [];
    helper.runtime()!.events.on('publish', (topic: string, data: unknown) => published.push([topic, data]));
    const got = collect('h', 1);
    helper.getNode('s')!.receive({ payload: 'ready' });
    const [m] = await got;
    assert.deepEqual(m!.status, { fill: 'green', shape: 'dot', text: 'ready', source: { id: 's', type: 'statusy', name: undefined } });
    assert.deepEqual(published[0], ['status/s', { fill: 'green', shape: 'dot', text: 'ready' }]);
  });

  it('sends to complete nodes when a watched node calls done()', async () => {
    await helper.load(testNodes, [
      tab,
      { id: 'p', type: 'pass', z: 't1', wires: [] },
      { id: 'cmp', type: 'complete', z: 't1', scope: ['p'], wires: [['h']] },
      { id: 'h', type: 'helper', z: 't1', wires: [] },
    ]);
    const got = collect('h', 1);
    helper.getNode('p')!.receive({ payload: 5 });
    const [m] = await got;
    assert.equal(m!.payload, 5);
    assert.deepEqual(m!.complete, { source: { id: 'p', type: 'pass', name: undefined } });
  });
});

describe('subflows', () => {
  const subflow = [
    tab,
    {
      id: 'sf', type: 'subflow', name: 'Wrap',
      in: [{ wires: [{ id: 'inner' }] }],
      out: [{ wires: [{ id: 'inner', port: 0 }] }],
      env: [{ name: 'GREETING', type: 'str', value: 'hello' }],
    },
    { id: 'inner', type: 'env-echo', z: 'sf', name: 'GREETING', prop: '${GREETING}', wires: [[]] },
    { id: 'i1', type: 'subflow:sf', z: 't1', env: [{ name: 'GREETING', type: 'str', value: 'bonjour' }], wires: [['h']] },
    { id: 'i2', type: 'subflow:sf', z: 't1', wires: [['h']] },
    { id: 'h', type: 'helper', z: 't1', wires: [] },
  ];

  it('runs each instance with its own env, through its ports', async () => {
    await helper.load(testNodes, subflow);
    const got = collect('h', 2);
    helper.getNode('i1')!.receive({ payload: 'x' });
    helper.getNode('i2')!.receive({ payload: 'y' });
    const payloads = (await got).map((m) => m.payload as any).sort((a, b) => a.env.localeCompare(b.env));
    assert.deepEqual(payloads.map((p) => [p.prop, p.env, p.nodeId]), [
      ['bonjour', 'bonjour', 'inner'],
      ['hello', 'hello', 'inner'],
    ]);
  });

  it('passes an error not caught inside the subflow to the parent flow\'s catch nodes', async () => {
    await helper.load(testNodes, [
      tab,
      { id: 'sf', type: 'subflow', name: 'S', in: [{ wires: [{ id: 'bad' }] }], out: [] },
      { id: 'bad', type: 'fail', z: 'sf', wires: [] },
      { id: 'i1', type: 'subflow:sf', z: 't1', wires: [] },
      { id: 'c', type: 'catch', z: 't1', scope: ['i1'], wires: [['h']] },
      { id: 'h', type: 'helper', z: 't1', wires: [] },
    ]);
    const got = collect('h', 1);
    helper.getNode('i1')!.receive({ payload: 1 });
    const [m] = await got;
    assert.equal((m!.error as any).source.type, 'fail');
  });
});

describe('deploys', () => {
  const flows = (closeDelay = 0) => [
    tab,
    { id: 't2', type: 'tab' },
    { id: 'a', type: 'slow-close', z: 't1', delay: closeDelay, wires: [] },
    { id: 'b', type: 'slow-close', z: 't1', wires: [] },
    { id: 'c', type: 'slow-close', z: 't2', wires: [] },
  ];

  it('restarts only the changed nodes on a "nodes" deploy and the changed flows on a "flows" deploy', async () => {
    await helper.load(testNodes, flows());
    const engine = helper.runtime()!.engine;
    (globalThis as any).__closed = 0;
    const withExtra = (extra: number) => {
      const f = flows();
      (f[2] as any).extra = extra;
      return f;
    };
    await engine.setFlows(withExtra(1), { deploymentType: 'nodes' });
    assert.equal((globalThis as any).__closed, 1);
    (globalThis as any).__closed = 0;
    await engine.setFlows(withExtra(2), { deploymentType: 'flows' });
    assert.equal((globalThis as any).__closed, 2);
    (globalThis as any).__closed = 0;
    await engine.setFlows(withExtra(2), { deploymentType: 'full' });
    assert.equal((globalThis as any).__closed, 3);
  });

  it('while flows stop, a node leaves when its own close is done: at once without close work, later with it', async () => {
    await helper.load(testNodes, [
      tab,
      { id: 'slow', type: 'slow-close', z: 't1', delay: 80, wires: [] },
      { id: 'quick', type: 'pass', z: 't1', wires: [] },
    ]);
    const engine = helper.runtime()!.engine;
    const stopping = engine.stopFlows();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(engine.getNode('quick'), undefined);
    assert.ok(engine.getNode('slow'), 'the node still closing is still there');
    await stopping;
    assert.equal(engine.getNode('slow'), undefined);
  });

  it('checks again only the nodes that changed, or whose definition changed', async () => {
    const checked: string[] = [];
    const counted = (tag: string) =>
      defineNode({
        type: 'counted', category: 'common', inputs: 1, outputs: 1, properties: {},
        validate(config) {
          checked.push(`${tag}:${(config as { id: string }).id}`);
          return [];
        },
        create() {},
      });
    await helper.load((RED: RedApi) => {
      helper.runtime()!.registry.define(counted('v1'), 'test');
      void RED;
    }, [tab, { id: 'p', type: 'counted', z: 't1', wires: [] }, { id: 'q', type: 'counted', z: 't1', n: 1, wires: [] }]);
    const engine = helper.runtime()!.engine;
    checked.length = 0;
    await engine.setFlows([tab, { id: 'p', type: 'counted', z: 't1', wires: [] }, { id: 'q', type: 'counted', z: 't1', n: 2, wires: [] }], { deploymentType: 'nodes' });
    assert.deepEqual(checked, ['v1:q']);
    helper.runtime()!.registry.define(counted('v2'), 'test');
    checked.length = 0;
    await engine.setFlows([tab, { id: 'p', type: 'counted', z: 't1', wires: [] }, { id: 'q', type: 'counted', z: 't1', n: 2, wires: [] }], { deploymentType: 'full' });
    assert.deepEqual(checked, ['v2:p', 'v2:q']);
  });

  it('refuses a bad deploy and leaves the running flows untouched', async () => {
    await helper.load(testNodes, flows());
    const engine = helper.runtime()!.engine;
    const before = engine.getFlows();
    const nodeBefore = helper.getNode('a');
    await assert.rejects(engine.setFlows([tab, { id: 'x', type: 'pass', z: 't1', wires: [['ghost']] }]), /ghost/);
    assert.deepEqual(engine.getFlows(), before);
    assert.equal(helper.getNode('a'), nodeBefore);
  });

  it("node.close() called as Node-RED's API returns a promise, with close work or without", async () => {
    await helper.load(testNodes, [
      tab,
      { id: 'slow', type: 'slow-close', z: 't1', delay: 30, wires: [] },
      { id: 'quick', type: 'pass', z: 't1', wires: [] },
    ]);
    (globalThis as any).__closed = 0;
    const closing = helper.getNode('slow')!.close();
    assert.ok(closing instanceof Promise);
    assert.equal((globalThis as any).__closed, 1);
    await closing;
    const quick = helper.getNode('quick')!.close(true);
    assert.ok(quick instanceof Promise);
    await quick;
  });

  it('moves on when a close handler never finishes', async () => {
    await helper.load(testNodes, flows(60_000));
    const engine = helper.runtime()!.engine;
    const runtimeSettings = engine.services.settings as { nodeCloseTimeout?: number };
    runtimeSettings.nodeCloseTimeout = 0.05;
    // The timeout is read at engine creation; a fresh load uses the new setting.
    helper.settings({ nodeCloseTimeout: 0.05 });
    await helper.load(testNodes, flows(60_000));
    await helper.runtime()!.engine.setFlows([], { deploymentType: 'full' });
    assert.ok(helper.log().args.some(([e]) => /close timed out/.test(String(e.msg))));
    helper.settings({ nodeCloseTimeout: 15 });
  });
});

describe('env', () => {
  it('resolves a property that is exactly ${VAR} through group, tab and process env, with NR_ built-ins', async () => {
    process.env.REDOUBT_TEST_VAR = 'from-process';
    await helper.load(testNodes, [
      { id: 't1', type: 'tab', label: 'Main', env: [{ name: 'TAB_VAR', type: 'str', value: 'from-tab' }] },
      { id: 'g', type: 'group', z: 't1', env: [{ name: 'GROUP_VAR', type: 'num', value: '7' }] },
      { id: 'e1', type: 'env-echo', z: 't1', g: 'g', prop: '${TAB_VAR}', name: 'GROUP_VAR', wires: [['h']] },
      { id: 'e2', type: 'env-echo', z: 't1', prop: '${REDOUBT_TEST_VAR}', name: 'NR_FLOW_NAME', wires: [['h']] },
      { id: 'h', type: 'helper', z: 't1', wires: [] },
    ]);
    const got = collect('h', 2);
    helper.getNode('e1')!.receive({});
    helper.getNode('e2')!.receive({});
    const [m1, m2] = await got;
    assert.deepEqual(m1!.payload, { prop: 'from-tab', env: 7, nodeId: 'e1' });
    assert.deepEqual(m2!.payload, { prop: 'from-process', env: 'Main', nodeId: 'e2' });
  });
});

describe('full redeploy of unchanged core nodes', () => {
  it('fills ${VAR} again, and never writes to the saved config of a node with or without one', async () => {
    const flows = [
      { id: 't1', type: 'tab', label: 'Main', env: [{ name: 'WHO', type: 'str', value: 'tab' }] },
      { id: 'c1', type: 'change', z: 't1', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '${WHO}', tot: 'str' }], wires: [['h']] },
      { id: 'c2', type: 'change', z: 't1', rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'plain', tot: 'str' }], wires: [['h']] },
      { id: 'h', type: 'helper', z: 't1', wires: [] },
    ];
    const saved = structuredClone(flows);
    await helper.load([], flows);
    const engine = helper.runtime()!.engine;
    for (let round = 0; round < 2; round++) {
      if (round === 1) await engine.setFlows(engine.getFlows().flows, { deploymentType: 'full' });
      const got = collect('h', 2);
      helper.getNode('c1')!.receive({ payload: 'x' });
      helper.getNode('c2')!.receive({ payload: 'y' });
      const [m1, m2] = await got;
      assert.equal(m1!.payload, 'tab', `round ${round}`);
      assert.equal(m2!.topic, 'plain', `round ${round}`);
      const byId = new Map(engine.getFlows().flows.map((n) => [n.id, n]));
      for (const node of saved) assert.deepEqual(byId.get(node.id), node, `round ${round}: ${node.id} as saved`);
    }
  });
});

describe('validation with the serialised flows', () => {
  const portNode = defineNode({
    type: 'port-node', category: 'common', inputs: 1, outputs: 1,
    properties: { port: number({ default: 1, min: 1 }) },
    create() {},
  });
  const loadPortNode = async () => {
    await helper.load((RED: RedApi) => {
      helper.runtime()!.registry.define(portNode, 'test');
      void RED;
    }, [tab]);
    return helper.runtime()!.engine;
  };

  it('leaves values filled from env vars to the start, found in the text as in the nodes', async () => {
    const engine = await loadPortNode();
    const flows = [
      tab,
      { id: 'a', type: 'port-node', z: 't1', port: '${PORT}', wires: [] },
      { id: 'b', type: 'port-node', z: 't1', port: 'x', wires: [] },
    ];
    const withText = engine.validate(flows, JSON.stringify(flows));
    assert.deepEqual(withText.map((i) => i.nodeId), ['b']);
    assert.deepEqual(withText, engine.validate(flows));
  });

  it('checks every value when the text refers to no env var', async () => {
    const engine = await loadPortNode();
    const flows = [tab, { id: 'a', type: 'port-node', z: 't1', port: '$PORT', wires: [] }];
    const issues = engine.validate(flows, JSON.stringify(flows));
    assert.deepEqual(issues.map((i) => [i.nodeId, i.property]), [['a', 'port']]);
  });
});

describe('typed configs', () => {
  it('hands create the saved config when it reads as saved, and never writes to a saved node', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const recorder = defineNode({
      type: 'recorder', category: 'config', isConfig: true, inputs: 0, outputs: 0,
      properties: { port: number({ default: 1 }) },
      create(config) {
        seen.push(config as Record<string, unknown>);
      },
    });
    const saved = { id: 'cfg', type: 'recorder', port: 80 };
    await helper.load((RED: RedApi) => {
      helper.runtime()!.registry.define(recorder, 'test');
      void RED;
    }, [tab]);
    const engine = helper.runtime()!.engine;
    await engine.setFlows([tab, saved], { deploymentType: 'full' });
    assert.equal(seen.length, 1);
    // A config node has no wires: the node created gets an empty list, the saved one none.
    assert.deepEqual(seen[0]!.wires, []);
    assert.deepEqual(Object.keys(saved).sort(), ['id', 'port', 'type']);
    assert.deepEqual(engine.getFlows().flows.find((n) => n.id === 'cfg'), { id: 'cfg', type: 'recorder', port: 80 });
  });
});

describe('node credentials', () => {
  it('gives a contrib node without stored credentials an object of its own to write to', async () => {
    await helper.load((RED: RedApi) => {
      RED.nodes.registerType('keeps-token', function (this: any, config: any) {
        RED.nodes.createNode(this, config);
        this.credentials.token = `t-${config.id}`;
      } as any);
    }, [tab, { id: 'k1', type: 'keeps-token', z: 't1', wires: [] }, { id: 'k2', type: 'keeps-token', z: 't1', wires: [] }]);
    assert.equal((helper.getNode('k1') as any).credentials.token, 't-k1');
    assert.equal((helper.getNode('k2') as any).credentials.token, 't-k2');
  });
});
