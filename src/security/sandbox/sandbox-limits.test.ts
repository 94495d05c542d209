import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PermissionError, ValidationError, ConfigError } from '../../errors/index.js';
import { createFakeHost, recordedInput } from './fake-host.js';
import { createSandboxPool } from './index.js';

const until = async (check: () => boolean) => { while (!check()) await new Promise((r) => setTimeout(r, 5)); };

describe('function sandbox: time limit', () => {
  it('stops an endless loop in a message with Node-RED\'s timeout message, and keeps serving other nodes', async () => {
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 100 });
    const host = createFakeHost();
    const loop = await pool.createFunction({ nodeId: 'loop1', name: 'spin', outputs: 1, func: 'if (msg.payload === 2) { while (true) {} } return msg;' }, host);
    const other = await pool.createFunction({ nodeId: 'ok1', outputs: 1, func: 'return msg;' }, host);
    const inputs = [1, 2, 3].map((p) => recordedInput({ payload: p }));
    const results = await loop.run(inputs);
    assert.deepEqual(results.map((r) => r.status), ['ok', 'error', 'ok']);
    assert.equal(inputs[1]!.dones[0]!.message, 'Script execution timed out after 100ms');
    assert.equal((inputs[1]!.dones[0] as ConfigError).code, 'function_timeout');
    const after = recordedInput({ payload: 'still here' });
    await other.run([after]);
    assert.equal(after.sends[0]![0]![0]!.payload, 'still here');
    await pool.dispose();
  });

  it('stops endless loops in On Start code, in a timer and after an await', async () => {
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 100 });
    const host = createFakeHost();
    const setup = await pool.createFunction({ nodeId: 's1', outputs: 1, func: 'return msg;', initialize: 'for (;;) {}' }, host);
    assert.equal(host.errors[0]!.error.message, 'function node (s1): On Start code failed: Script execution timed out after 100ms');

    const timerHost = createFakeHost();
    const timer = await pool.createFunction({ nodeId: 't1', outputs: 1, func: 'setTimeout(() => { while (true) {} }, 1); return null;' }, timerHost);
    await timer.run([recordedInput({})]);
    await until(() => timerHost.errors.length > 0);
    assert.equal(timerHost.errors[0]!.error.message, 'Script execution timed out after 100ms');

    const awaited = await pool.createFunction({ nodeId: 'a1', outputs: 1, func: 'await new Promise((r) => setTimeout(r, 1)); while (true) {}' }, host);
    const input = recordedInput({});
    const [result] = await awaited.run([input]);
    assert.equal(result!.status, 'error');
    assert.equal(input.dones[0]!.message, 'Script execution timed out after 100ms');
    await Promise.all([setup.close(), timer.close(), awaited.close()]);
    await pool.dispose();
  });

  it('applies a node\'s own lower limit, and never lets it raise the pool\'s', async () => {
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 300 });
    const spin = 'while (true) {}';
    const low = await pool.createFunction({ nodeId: 'low', outputs: 1, func: spin, timeoutMs: 20 }, createFakeHost());
    const high = await pool.createFunction({ nodeId: 'high', outputs: 1, func: spin, timeoutMs: 60_000 }, createFakeHost());
    const [a, b] = [recordedInput({}), recordedInput({})];
    await low.run([a]);
    await high.run([b]);
    assert.equal(a.dones[0]!.message, 'Script execution timed out after 20ms');
    assert.equal(b.dones[0]!.message, 'Script execution timed out after 300ms');
    await pool.dispose();
  });

  it('gives each message of a long batch its own time limit', async () => {
    // 12 x 30 ms is well over the limit for the batch; each message keeps a wide margin under it
    // (the limit is wall time, so scheduling delays on a loaded machine count against it too).
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 300 });
    const fn = await pool.createFunction({ nodeId: 'slow', outputs: 1, func: 'const end = Date.now() + 30; while (Date.now() < end) {} return msg;' }, createFakeHost());
    const results = await fn.run(Array.from({ length: 12 }, (_, p) => recordedInput({ payload: p })));
    assert.deepEqual(results.map((r) => r.status), Array(12).fill('ok'));
    await pool.dispose();
  });
});

describe('function sandbox: memory limit', () => {
  it('disposes a blown isolate, reports it on the node, and rebuilds the other nodes', async () => {
    const logs: string[] = [];
    const pool = createSandboxPool({ memoryMb: 24, timeoutMs: 5000, log: (_l, m) => logs.push(m) });
    const bystanderHost = createFakeHost();
    const bystander = await pool.createFunction({
      nodeId: 'by', outputs: 1, initialize: 'context.set("starts", (context.get("starts") || 0) + 1);',
      func: 'msg.payload = context.get("starts"); return msg;',
    }, bystanderHost);
    const hog = await pool.createFunction({ nodeId: 'hog', name: 'hog', outputs: 1, func: 'let a = []; for (;;) a.push(new Array(1e6).fill(1));' }, createFakeHost());
    const input = recordedInput({});
    const [result] = await hog.run([input]);
    assert.equal(result!.status, 'error');
    assert.match(input.dones[0]!.message, /^function node 'hog' \(hog\) used more than the sandbox memory limit of 24 MB/);
    assert.equal(pool.restarts, 1);
    assert.match(logs.join('\n'), /restarted because function node 'hog'/);
    const later = recordedInput({});
    await bystander.run([later]);
    assert.equal(later.sends[0]![0]![0]!.payload, 2, 'On Start ran again in the new isolate');
    const again = recordedInput({ payload: 1 });
    const fresh = await pool.createFunction({ nodeId: 'fresh', outputs: 1, func: 'return msg;' }, createFakeHost());
    await fresh.run([again]);
    assert.equal(again.sends.length, 1);
    await pool.dispose();
  });

  it('refuses memory and time limits that cannot work', () => {
    assert.throws(() => createSandboxPool({ memoryMb: 4, timeoutMs: 100 }), ConfigError);
    assert.throws(() => createSandboxPool({ memoryMb: 32, timeoutMs: 0 }), ConfigError);
  });
});

describe('function sandbox: external modules', () => {
  const fakeModule = {
    add: (a: number, b: number) => a + b,
    later: async (v: string) => `later:${v}`,
    version: '1.2.3',
    nested: { upper: (s: string) => s.toUpperCase() },
  };

  it('refuses a node with libs when functionExternalModules is off, naming the module', async () => {
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 100 });
    const def = { nodeId: 'l1', outputs: 1, func: 'return msg;', libs: [{ var: 'm', module: 'some-lib' }] };
    await assert.rejects(pool.createFunction(def, createFakeHost()), (e: unknown) => e instanceof PermissionError && /'some-lib'/.test(e.message) && /functionExternalModules/.test(e.message));
    await pool.dispose();
  });

  it('refuses modules outside the allow-list and Node built-ins not named in it', async () => {
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 100, externalModules: { enabled: true, load: () => fakeModule } });
    const builtin = { nodeId: 'l2', outputs: 1, func: '', libs: [{ var: 'cp', module: 'child_process' }] };
    await assert.rejects(pool.createFunction(builtin, createFakeHost()), PermissionError);
    const listed = createSandboxPool({ memoryMb: 32, timeoutMs: 100, externalModules: { enabled: true, allow: ['ok-lib'], load: () => fakeModule } });
    await assert.rejects(listed.createFunction({ ...builtin, libs: [{ var: 'x', module: 'other-lib' }] }, createFakeHost()), /'other-lib'/);
    await assert.rejects(listed.createFunction({ ...builtin, libs: [{ var: 'node', module: 'ok-lib' }] }, createFakeHost()), ValidationError);
    await Promise.all([pool.dispose(), listed.dispose()]);
  });

  it('exposes an allowed module through copying proxies: sync, async, nested and data', async () => {
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 1000, externalModules: { enabled: true, allow: ['ok-lib'], load: () => fakeModule } });
    const fn = await pool.createFunction({
      nodeId: 'l3', outputs: 1, libs: [{ var: 'lib', module: 'ok-lib' }],
      func: 'msg.payload = [lib.add(2, 3), await lib.later("x"), lib.nested.upper("abc"), lib.version]; return msg;',
    }, createFakeHost());
    const input = recordedInput({});
    await fn.run([input]);
    assert.deepEqual(input.sends[0]![0]![0]!.payload, [5, 'later:x', 'ABC', '1.2.3']);
    await pool.dispose();
  });
});
