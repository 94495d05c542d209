import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeHost, recordedInput } from './fake-host.js';
import { createSandboxPool, FunctionSyntaxError } from './index.js';
import type { SandboxedFunction } from './index.js';

const until = async (check: () => boolean) => { while (!check()) await new Promise((r) => setTimeout(r, 5)); };

describe('function sandbox: many nodes', () => {
  it('runs 2,000 function nodes in one pool without a memory error, spreading contexts over isolates', async (t) => {
    const logs: string[] = [];
    const pool = createSandboxPool({ memoryMb: 64, timeoutMs: 5000, log: (_l, m) => logs.push(m) });
    const count = 2000;
    const fns: SandboxedFunction[] = [];
    for (let i = 0; i < count; i++) {
      fns.push(await pool.createFunction({ nodeId: `many${i}`, outputs: 1, func: `msg.payload = msg.payload + ${i}; return msg;` }, createFakeHost()));
    }
    assert.equal((await pool.stats()).contexts, 0, 'no context is built before a node is used');
    const inputs = fns.map(() => recordedInput({ payload: 1 }));
    const results = await Promise.all(fns.map((fn, i) => fn.run([inputs[i]!])));
    assert.ok(results.every(([r]) => r!.status === 'ok'));
    assert.equal(inputs[1999]!.sends[0]![0]![0]!.payload, 2000);
    const stats = await pool.stats();
    t.diagnostic(`${stats.contexts} contexts in ${stats.isolates} isolates, ${(stats.heapUsedBytes / stats.contexts / 1024).toFixed(0)} KB of isolate heap per context`);
    assert.equal(stats.contexts, count);
    assert.ok(stats.isolates > 1, 'more than one 64 MB isolate is needed for 2,000 contexts');
    assert.equal(pool.restarts, 0);
    assert.deepEqual(logs, []);
    await pool.dispose();
  });

  it('gives an emptied isolate back when its nodes close, keeping one', async () => {
    const pool = createSandboxPool({ memoryMb: 8, timeoutMs: 1000 });
    const fns: SandboxedFunction[] = [];
    for (let i = 0; i < 50; i++) fns.push(await pool.createFunction({ nodeId: `c${i}`, outputs: 1, func: 'return msg;' }, createFakeHost()));
    await Promise.all(fns.map((fn) => fn.run([recordedInput({})])));
    assert.ok((await pool.stats()).isolates > 1);
    for (const fn of fns) await fn.close();
    const { functions, contexts, isolates } = await pool.stats();
    assert.deepEqual({ functions, contexts, isolates }, { functions: 0, contexts: 0, isolates: 1 });
    await pool.dispose();
  });
});

describe('function sandbox: lazy contexts', () => {
  it('reports a syntax error at creation without building a context, naming the property', async () => {
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 1000 });
    await assert.rejects(
      pool.createFunction({ nodeId: 'bad1', name: 'broken', outputs: 1, func: 'return {;' }, createFakeHost()),
      (err: unknown) => err instanceof FunctionSyntaxError && /function node 'broken' \(bad1\)/.test(err.message) && err.place?.property === 'func',
    );
    await assert.rejects(
      pool.createFunction({ nodeId: 'bad2', outputs: 1, func: 'return msg;', finalize: 'node.warn(' }, createFakeHost()),
      (err: unknown) => err instanceof FunctionSyntaxError && err.place?.property === 'finalize',
    );
    const { functions, contexts } = await pool.stats();
    assert.deepEqual({ functions, contexts }, { functions: 0, contexts: 0 });
    await pool.dispose();
  });

  it('checks code shared by many nodes once, and still reports the same bad code for each node', async () => {
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 1000 });
    const good = await Promise.all(['s1', 's2'].map((id) => pool.createFunction({ nodeId: id, outputs: 1, func: 'return msg;' }, createFakeHost())));
    const input = recordedInput({ payload: 'shared' });
    await good[1]!.run([input]);
    assert.equal(input.sends[0]![0]![0]!.payload, 'shared');
    for (const id of ['b1', 'b2']) {
      await assert.rejects(
        pool.createFunction({ nodeId: id, outputs: 1, func: 'return {;' }, createFakeHost()),
        (err: unknown) => err instanceof FunctionSyntaxError && err.message.includes(`(${id})`) && err.place?.property === 'func',
      );
    }
    await pool.dispose();
  });

  it('builds the context of a node without On Start code at its first message', async () => {
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 1000 });
    const fn = await pool.createFunction({ nodeId: 'lazy1', outputs: 1, func: 'return msg;' }, createFakeHost());
    assert.equal((await pool.stats()).contexts, 0);
    const input = recordedInput({ payload: 'first' });
    await fn.run([input]);
    assert.equal(input.sends[0]![0]![0]!.payload, 'first');
    assert.equal((await pool.stats()).contexts, 1);
    await fn.close();
    assert.equal((await pool.stats()).contexts, 0);
    await pool.dispose();
  });

  it('creates a node with On Start code eagerly and runs that code before any message', async () => {
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 1000 });
    const host = createFakeHost();
    await pool.createFunction({ nodeId: 'eager1', outputs: 1, func: 'return msg;', initialize: 'context.set("started", true);' }, host);
    assert.equal(host.context.get('started'), true);
    assert.equal((await pool.stats()).contexts, 1);
    await pool.dispose();
  });

  it('builds a context at close to run On Stop code of a node that never got a message', async () => {
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 1000 });
    const host = createFakeHost();
    const fn = await pool.createFunction({ nodeId: 'stop1', outputs: 1, func: 'return msg;', finalize: 'node.warn("stopped");' }, host);
    assert.equal((await pool.stats()).contexts, 0);
    await fn.close();
    assert.deepEqual(host.logs, [{ level: 'warn', message: 'stopped' }]);
    await pool.dispose();
  });

  it('answers messages to a node whose On Start code blew the memory limit as failed', async () => {
    const pool = createSandboxPool({ memoryMb: 16, timeoutMs: 5000 });
    const fn = await pool.createFunction({ nodeId: 'hogstart', outputs: 1, func: 'return msg;', initialize: 'let a = []; for (;;) a.push(new Array(1e6).fill(1));' }, createFakeHost());
    const input = recordedInput({});
    const [result] = await fn.run([input]);
    assert.equal(result!.status, 'error');
    assert.equal(input.dones.length, 1);
    await pool.dispose();
  });
});

describe('function sandbox: batches and isolation between isolates', () => {
  it('copies each message of a batch in once, even when the batch runs over several time slices', async () => {
    // Time limit 500 ms: slices of 50 ms, so the 40 x 3 ms batch takes at least three.
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 500 });
    const fn = await pool.createFunction({
      nodeId: 'slices', outputs: 1,
      func: 'globalThis.seen = (globalThis.seen || 0) + 1; const end = Date.now() + 3; while (Date.now() < end) {} msg.payload = [msg.payload, globalThis.seen]; return msg;',
    }, createFakeHost());
    const inputs = Array.from({ length: 40 }, (_, i) => recordedInput({ payload: i }));
    const results = await fn.run(inputs);
    assert.ok(results.every((r) => r.status === 'ok'));
    assert.deepEqual(inputs.map((inp) => inp.sends[0]![0]![0]!.payload), inputs.map((_, i) => [i, i + 1]));
    await pool.dispose();
  });

  it('runs a batch arriving while an earlier one is still in slices after all of the earlier one', async () => {
    const pool = createSandboxPool({ memoryMb: 32, timeoutMs: 500 });
    const fn = await pool.createFunction({
      nodeId: 'overlap', outputs: 1,
      func: 'globalThis.order = (globalThis.order || []); globalThis.order.push(msg.payload); const end = Date.now() + 3; while (Date.now() < end) {} msg.payload = globalThis.order.length; return msg;',
    }, createFakeHost());
    const a = Array.from({ length: 30 }, (_, i) => recordedInput({ payload: `a${i}` }));
    const b = Array.from({ length: 30 }, (_, i) => recordedInput({ payload: `b${i}` }));
    const [ra, rb] = await Promise.all([fn.run(a), fn.run(b)]);
    assert.ok([...ra, ...rb].every((r) => r.status === 'ok'));
    assert.deepEqual([...a, ...b].map((inp) => inp.sends[0]![0]![0]!.payload), Array.from({ length: 60 }, (_, i) => i + 1));
    await pool.dispose();
  });

  it('keeps nodes of other isolates running untouched when one isolate exceeds its memory limit', async () => {
    const logs: string[] = [];
    const pool = createSandboxPool({ memoryMb: 16, timeoutMs: 5000, log: (_l, m) => logs.push(m) });
    const counter = 'globalThis.n = (globalThis.n || 0) + 1; msg.payload = globalThis.n; return msg;';
    const first = await pool.createFunction({ nodeId: 'keep', outputs: 1, func: counter }, createFakeHost());
    await first.run([recordedInput({})]);
    // Fill the first isolate so that the hog lands in another one.
    const fillers: SandboxedFunction[] = [];
    while ((await pool.stats()).isolates < 2) {
      const f = await pool.createFunction({ nodeId: `fill${fillers.length}`, outputs: 1, func: 'return msg;' }, createFakeHost());
      fillers.push(f);
      await f.run([recordedInput({})]);
    }
    const hog = await pool.createFunction({ nodeId: 'hog2', outputs: 1, func: 'let a = []; for (;;) a.push(new Array(1e6).fill(1));' }, createFakeHost());
    const blown = recordedInput({});
    await hog.run([blown]);
    assert.match(blown.dones[0]!.message, /memory limit of 16 MB/);
    assert.equal(pool.restarts, 1);
    const again = recordedInput({});
    await first.run([again]);
    assert.equal(again.sends[0]![0]![0]!.payload, 2, 'the first node kept its context');
    // The hog's neighbour in the dead isolate was reset and builds a new context when used.
    const neighbour = fillers[fillers.length - 1]!;
    const after = recordedInput({ payload: 'back' });
    await neighbour.run([after]);
    assert.equal(after.sends[0]![0]![0]!.payload, 'back');
    await until(() => logs.length > 0);
    assert.match(logs[0]!, /restarted because function node \(hog2\)/);
    await pool.dispose();
  });
});
