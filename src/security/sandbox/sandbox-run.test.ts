import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createFakeHost, recordedInput } from './fake-host.js';
import type { FakeHost } from './fake-host.js';
import { createSandboxPool, FunctionCodeError, FunctionSyntaxError } from './index.js';
import type { FunctionDef, SandboxPool } from './index.js';
import type { Msg } from '../../runtime/types.js';

let pool: SandboxPool;
before(() => { pool = createSandboxPool({ memoryMb: 64, timeoutMs: 1000 }); });
after(async () => { await pool.dispose(); });

let seq = 0;
async function make(func: string, extra: Partial<FunctionDef> = {}, host: FakeHost = createFakeHost()) {
  const fn = await pool.createFunction({ nodeId: `n${++seq}`, name: 'f', func, outputs: 1, ...extra }, host);
  return { fn, host };
}
async function runOne(func: string, msg: Msg, extra: Partial<FunctionDef> = {}) {
  const { fn, host } = await make(func, extra);
  const input = recordedInput(msg);
  const [result] = await fn.run([input]);
  await fn.close();
  return { input, host, result: result! };
}
const until = async (check: () => boolean) => { while (!check()) await new Promise((r) => setTimeout(r, 5)); };

describe('function sandbox: messages', () => {
  it('sends the returned message with the input _msgid and calls done', async () => {
    const { input } = await runOne('msg.payload += 1; return msg;', { _msgid: 'm1', payload: 1 });
    assert.deepEqual(input.sends, [[[{ _msgid: 'm1', payload: 2 }]]]);
    assert.deepEqual(input.dones, [undefined]);
  });

  it('gives new messages the input _msgid', async () => {
    const { input } = await runOne('return { payload: "new" };', { _msgid: 'm2', payload: 1 });
    assert.deepEqual(input.sends, [[[{ _msgid: 'm2', payload: 'new' }]]]);
  });

  it('sends nothing but still calls done when the code returns null', async () => {
    const { input, result } = await runOne('return null;', { _msgid: 'm', payload: 1 });
    assert.deepEqual(input.sends, []);
    assert.deepEqual(input.dones, [undefined]);
    assert.deepEqual(result, { status: 'ok', output: null });
  });

  it('spreads an array over outputs, with arrays of messages and null skipping an output', async () => {
    const { input } = await runOne('return [null, [{payload:1},{payload:2}], msg];', { _msgid: 'x', payload: 0 }, { outputs: 3 });
    assert.deepEqual(input.sends, [[null, [{ _msgid: 'x', payload: 1 }, { _msgid: 'x', payload: 2 }], [{ _msgid: 'x', payload: 0 }]]]);
  });

  it('logs a non-message in the result as an error line (no msg, so no catch node) and sends the rest', async () => {
    const { input, host } = await runOne('return [[msg, 5]];', { _msgid: 'x', payload: 0 });
    assert.deepEqual(input.sends, [[[{ _msgid: 'x', payload: 0 }]]]);
    assert.deepEqual(host.logs, [{ level: 'error', message: 'Function tried to send a message of type number' }]);
    assert.deepEqual(host.errors, []);
  });

  it('keeps a numeric input _msgid on what it sends', async () => {
    const { input } = await runOne('node.send({ payload: 1 }); return [[{ payload: 2 }]];', { _msgid: 1234 as unknown as string });
    assert.deepEqual(input.sends, [[[{ _msgid: 1234, payload: 1 }]], [[{ _msgid: 1234, payload: 2 }]]]);
  });

  it('sends through node.send before the return value, in order', async () => {
    const { input } = await runOne('node.send({payload: "a"}); node.send([null]); return {payload: "b"};', { _msgid: 'q' });
    assert.deepEqual(input.sends, [[[{ _msgid: 'q', payload: 'a' }]], [[{ _msgid: 'q', payload: 'b' }]]]);
  });

  it('exposes node id, name, path and outputCount', async () => {
    const { input } = await runOne('return { payload: [node.id, node.name, node.outputCount, node.path] };', {}, { outputs: 2, path: 'tab1/sf1/n' });
    const sent = input.sends[0]![0]![0]!;
    assert.equal((sent.payload as unknown[])[1], 'f');
    assert.equal((sent.payload as unknown[])[2], 2);
    assert.equal((sent.payload as unknown[])[3], 'tab1/sf1/n');
  });

  it('runs a batch and answers each message on its own', async () => {
    const { fn } = await make('if (msg.payload === 2) throw new Error("two"); return msg;');
    const inputs = [1, 2, 3].map((p) => recordedInput({ _msgid: `b${p}`, payload: p }));
    const results = await fn.run(inputs);
    assert.deepEqual(results.map((r) => r.status), ['ok', 'error', 'ok']);
    assert.deepEqual(inputs[2]!.sends, [[[{ _msgid: 'b3', payload: 3 }]]]);
    await fn.close();
  });

  it('keeps msg.req and msg.res out of the isolate and puts them back on what is sent', async () => {
    const res = { end: () => 'host object' };
    const req = { socket: {} };
    const { input } = await runOne('node.send({payload: typeof msg.res}); return {payload: 2};', { _msgid: 'r', req, res });
    const first = input.sends[0]![0]![0]!;
    assert.equal(first.payload, 'undefined');
    assert.equal(first.res, res);
    assert.equal(input.sends[1]![0]![0]!.req, req);
  });
});

describe('function sandbox: async code and errors', () => {
  it('waits for a promise returned by async code', async () => {
    const { input } = await runOne('await new Promise((r) => setTimeout(r, 5)); msg.payload = "later"; return msg;', { _msgid: 'a' });
    assert.deepEqual(input.sends, [[[{ _msgid: 'a', payload: 'later' }]]]);
  });

  it('reports a thrown error with its line and column, and passes it to done', async () => {
    const { input, result } = await runOne('var a = 1;\n  a.b.c = 2;', { _msgid: 'e' });
    assert.equal(result.status, 'error');
    assert.ok(input.dones[0] instanceof FunctionCodeError);
    assert.match(input.dones[0]!.message, /^TypeError: Cannot set properties of undefined .*\(line 2, col 9\)$/);
  });

  it('reports an async rejection and a thrown string', async () => {
    const rejected = await runOne('await null; throw new RangeError("nope");', {});
    assert.match(rejected.input.dones[0]!.message, /^RangeError: nope/);
    const thrown = await runOne('throw "plain text";', {});
    assert.equal(thrown.input.dones[0]!.message, 'plain text');
  });

  it('leaves done to the code when it calls node.done()', async () => {
    const { fn } = await make('setTimeout(() => { node.send(msg); node.done(); }, 5); return null;');
    const input = recordedInput({ _msgid: 'd', payload: 1 });
    await fn.run([input]);
    assert.deepEqual(input.dones, []);
    await input.finished;
    assert.deepEqual(input.sends, [[[{ _msgid: 'd', payload: 1 }]]]);
    await fn.close();
  });

  it('passes node.error(err, msg) to the host with the message', async () => {
    const { host } = await runOne('node.error("bad thing", msg); return null;', { _msgid: 'z', payload: 7, res: { kept: true } });
    assert.equal(host.errors[0]!.error.message, 'bad thing');
    assert.deepEqual(host.errors[0]!.msg, { _msgid: 'z', payload: 7, res: { kept: true } });
  });

  it('refuses code that does not compile, naming the node', async () => {
    await assert.rejects(make('return {;'), (err: unknown) => err instanceof FunctionSyntaxError && /function node 'f'/.test(err.message));
  });
});

describe('function sandbox: node API', () => {
  it('logs through node.log, warn, debug and console, and sets status', async () => {
    const { host } = await runOne('node.log("i"); node.warn({a:1}); node.debug("d"); console.error("c"); node.status({fill:"red",text:"x"}); return null;', {});
    assert.deepEqual(host.logs, [
      { level: 'info', message: 'i' }, { level: 'warn', message: { a: 1 } }, { level: 'debug', message: 'd' }, { level: 'error', message: 'c' },
    ]);
    assert.deepEqual(host.statuses, [{ fill: 'red', text: 'x' }, {}]);
  });

  it('reads and writes node, flow and global context synchronously and with stores', async () => {
    const host = createFakeHost();
    host.context.global.set('g', 5);
    const { fn } = await make('context.set("n", msg.payload); flow.set("f", [1,2], "disk"); msg.payload = [context.get("n"), flow.get("f", "disk"), global.get("g"), context.global.get("g"), flow.keys("disk")]; return msg;', {}, host);
    const input = recordedInput({ payload: 'v' });
    await fn.run([input]);
    assert.deepEqual(input.sends[0]![0]![0]!.payload, ['v', [1, 2], 5, 5, ['f']]);
    assert.equal(host.context.get('n'), 'v');
    await fn.close();
  });

  it('answers context callbacks from a synchronous and an asynchronous store', async () => {
    const host = createFakeHost();
    host.context.flow.set('k', 'slow-value', 'slow');
    host.context.flow.set('k', 'fast-value');
    const { fn } = await make('flow.get("k", (e, v) => { msg.fast = v; flow.get("k", "slow", (e2, v2) => { msg.slow = v2; node.send(msg); node.done(); }); });', {}, host);
    const input = recordedInput({ _msgid: 'c' });
    await fn.run([input]);
    await input.finished;
    assert.deepEqual(input.sends, [[[{ _msgid: 'c', fast: 'fast-value', slow: 'slow-value' }]]]);
    await fn.close();
  });

  it('offers promisify (setTimeout included) and RED.util.getSetting, as Node-RED\'s sandbox does', async () => {
    const host = createFakeHost();
    host.env['SITE'] = 'north';
    const { fn } = await make([
      'const wait = promisify(setTimeout);',
      'const v = await wait(5, "waited");',
      'const cb = (a, done) => done(null, a * 2);',
      'msg.payload = [v, await promisify(cb)(21), RED.util.getSetting(node, "SITE")];',
      'try { await promisify((done) => done(new Error("nope")))(); } catch (e) { msg.payload.push(e.message); }',
      'return msg;',
    ].join('\n'), {}, host);
    const input = recordedInput({});
    await fn.run([input]);
    await input.finished;
    assert.deepEqual(input.sends[0]![0]![0]!.payload, ['waited', 42, 'north', 'nope']);
    await fn.close();
  });

  it('refuses a context callback that is not a function, as Node-RED does', async () => {
    const code = (call: string) => `try { ${call}; return { payload: 'accepted' }; } catch (e) { return { payload: e.message }; }`;
    for (const call of ["context.get('a', 'memory1', 'callback')", "flow.set('a', 1, 'memory1', 'callback')", "global.keys('memory1', 'callback')"]) {
      const { input } = await runOne(code(call), {});
      assert.equal(input.sends[0]![0]![0]!.payload, 'Callback must be a function', call);
    }
  });

  it('turns a context store failure into an error the code can catch', async () => {
    const { input } = await runOne('try { flow.set("a", 1, "broken"); } catch (e) { return {payload: e.message}; }', {});
    assert.match(String(input.sends[0]![0]![0]!.payload), /store broken/);
  });

  it('reads env vars through the host', async () => {
    const host = createFakeHost();
    host.env['HOST'] = 'plc-1';
    const { fn } = await make('return { payload: env.get("HOST") };', {}, host);
    const input = recordedInput({});
    await fn.run([input]);
    assert.equal(input.sends[0]![0]![0]!.payload, 'plc-1');
    await fn.close();
  });

  it('offers RED.util property helpers, cloneMessage and generateId', async () => {
    const code = `
      RED.util.setMessageProperty(msg, 'a.b[0]["c d"]', 5);
      const c = RED.util.cloneMessage(msg); c.a.b[0]['c d'] = 6;
      msg.payload = [RED.util.getMessageProperty(msg, 'msg.a.b[0]["c d"]'), RED.util.getObjectProperty(c, 'a.b[0]["c d"]'),
        RED.util.generateId().length, RED.util.getMessageProperty(msg, 'a[msg.topic]'), RED.util.encodeObject({ msg: Buffer.from('hi') }).format];
      return msg;`;
    const { input } = await runOne(code, { topic: 'b' });
    const payload = input.sends[0]![0]![0]!.payload as unknown[];
    assert.deepEqual(payload.slice(0, 3), [5, 6, 16]);
    assert.deepEqual(payload[3], [{ 'c d': 5 }]);
    assert.equal(payload[4], 'buffer[2]');
  });

  it('RED.util.getMessageProperty throws on a missing parent, as Node-RED and the host do', async () => {
    const code = `
      let thrown = 'none';
      try { RED.util.getMessageProperty(msg, 'payload.list[1]'); } catch (e) { thrown = e.message; }
      msg.payload = [thrown, RED.util.getMessageProperty(msg, 'payload.length'), RED.util.getMessageProperty(msg, 'nothing')];
      return msg;`;
    const { input } = await runOne(code, { payload: 'text' });
    assert.deepEqual(input.sends[0]![0]![0]!.payload, ["Cannot read '1' of undefined in property expression 'payload.list[1]'", 4, undefined]);
  });
});

describe('function sandbox: values across the boundary', () => {
  it('round-trips Buffers, Dates, RegExps, Maps and nested values', async () => {
    const msg = { payload: Buffer.from('héllo'), at: new Date(1_700_000_000_000), re: /a+b/gi, m: new Map([['k', Buffer.from([1])]]) };
    const code = 'msg.kinds = [Buffer.isBuffer(msg.payload), msg.at instanceof Date, msg.re.test("AAB"), Buffer.isBuffer(msg.m.get("k"))]; msg.made = Buffer.from("00ff", "hex"); return msg;';
    const { input } = await runOne(code, msg);
    const out = input.sends[0]![0]![0]!;
    assert.deepEqual(out.kinds, [true, true, true, true]);
    assert.ok(Buffer.isBuffer(out.payload) && out.payload.toString() === 'héllo');
    assert.ok(Buffer.isBuffer(out.made) && out.made.equals(Buffer.from([0, 255])));
    assert.ok(out.at instanceof Date && out.at.getTime() === 1_700_000_000_000);
    assert.ok(out.re instanceof RegExp && out.re.flags === 'gi');
    assert.ok(Buffer.isBuffer((out.m as Map<string, Buffer>).get('k')));
  });

  it('gives user code a Buffer with Node encodings and accessors', async () => {
    const code = `
      const b = Buffer.alloc(6); b.writeUInt16BE(0x1234, 0); b.writeUInt32LE(0xdeadbeef, 2);
      const s = Buffer.from('aGVsbG8gd29ybGQ=', 'base64');
      return { payload: [b.toString('hex'), b.readUInt16LE(0), b.readUInt32BE(2), s.toString(), s.toString('latin1', 0, 5),
        Buffer.concat([Buffer.from('a'), Buffer.from('€')]).toString('base64'), Buffer.byteLength('€'), s.slice(6).toString(),
        JSON.stringify(Buffer.from([1, 2])), Buffer.from('abc').equals(Buffer.from('abc')), Buffer.from('xyz').indexOf('z'),
        Buffer.from('✓ ok').toString('utf8')] };`;
    const { input } = await runOne(code, {});
    assert.deepEqual(input.sends[0]![0]![0]!.payload, [
      '1234efbeadde', 0x3412, 0xefbeadde, 'hello world', 'hello', Buffer.from('a€').toString('base64'), 3, 'world',
      '{"type":"Buffer","data":[1,2]}', true, 2, '✓ ok',
    ]);
  });

  it('fails only the message whose result cannot be copied out', async () => {
    const { fn } = await make('if (msg.payload === 1) msg.f = function () {}; return msg;');
    const inputs = [1, 2].map((p) => recordedInput({ payload: p }));
    const results = await fn.run(inputs);
    assert.deepEqual(results.map((r) => r.status), ['error', 'ok']);
    assert.match(inputs[0]!.dones[0]!.message, /could not be/);
    await fn.close();
  });
});

describe('function sandbox: lifecycle', () => {
  it('runs On Start code before the first message and On Stop code on close', async () => {
    const host = createFakeHost();
    const { fn } = await make('return { payload: context.get("ready") };', {
      initialize: 'await new Promise((r) => setTimeout(r, 5)); context.set("ready", "yes"); node.send({payload: "started"});',
      finalize: 'node.warn("stopping " + context.get("ready"));',
    }, host);
    const input = recordedInput({});
    await fn.run([input]);
    assert.equal(input.sends[0]![0]![0]!.payload, 'yes');
    assert.equal(host.sent[0]![0]![0]!.payload, 'started');
    await fn.close();
    assert.deepEqual(host.logs, [{ level: 'warn', message: 'stopping yes' }]);
  });

  it('can hand the node over once On Start code has run its synchronous part; messages still wait for the rest', async () => {
    const host = createFakeHost();
    const fn = await pool.createFunction({
      nodeId: `n${++seq}`, outputs: 1, func: 'msg.payload = context.get("phase"); return msg;',
      initialize: 'node.log("sync part"); context.set("phase", "begun"); await new Promise((r) => setTimeout(r, 60)); context.set("phase", "done");',
    }, host, { untilOnStartBegins: true });
    assert.deepEqual(host.logs, [{ level: 'info', message: 'sync part' }]);
    assert.equal(host.context.get('phase'), 'begun');
    const input = recordedInput({});
    await fn.run([input]);
    assert.equal(input.sends[0]![0]![0]!.payload, 'done');
    await fn.close();
  });

  it('fails messages with the On Start error when On Start code throws', async () => {
    const { fn, host } = await make('return msg;', { initialize: 'throw new Error("no setup")' });
    const input = recordedInput({});
    const [result] = await fn.run([input]);
    assert.equal(result!.status, 'error');
    assert.match(host.errors[0]!.error.message, /On Start code failed: Error: no setup/);
    await fn.close();
  });

  it('clears timers and intervals on close', async () => {
    const { fn, host } = await make('setInterval(() => node.send({payload: "tick"}), 2); setTimeout(() => node.send({payload: "late"}), 50); return null;');
    const input = recordedInput({});
    await fn.run([input]);
    await until(() => input.sends.length >= 2);
    await fn.close();
    const count = input.sends.length;
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(input.sends.length, count);
    assert.ok(input.sends.every((o) => o[0]![0]!.payload === 'tick'));
    assert.deepEqual(host.sent, []);
  });

  it('clears a timer the code clears itself, and reports an error thrown in a timer', async () => {
    const { fn, host } = await make('const t = setTimeout(() => node.send({payload: "no"}), 5); clearTimeout(t); setTimeout(() => { throw new Error("in timer"); }, 5); return null;');
    await fn.run([recordedInput({})]);
    await until(() => host.errors.length > 0);
    assert.match(host.errors[0]!.error.message, /^Error: in timer/);
    assert.deepEqual(host.sent, []);
    await fn.close();
  });

  it('accepts a timer callback that is not a function and reports the failure when it fires, with an empty msg', async () => {
    const { fn, host } = await make('const id = setInterval(null, 5); setTimeout(() => { clearInterval(id); node.send(msg); }, 30); return null;');
    const input = recordedInput({ _msgid: 'i', payload: 'kept' });
    await fn.run([input]);
    await until(() => input.sends.length > 0);
    assert.equal(input.sends[0]![0]![0]!.payload, 'kept');
    assert.ok(host.errors.length > 0);
    assert.match(host.errors[0]!.error.message, /^TypeError: /);
    assert.deepEqual(host.errors[0]!.msg, {});
    await fn.close();
  });

  it('answers messages arriving after close as closed', async () => {
    const { fn } = await make('return msg;');
    await fn.close();
    assert.deepEqual(await fn.run([recordedInput({})]), [{ status: 'closed' }]);
  });
});
