import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createFakeHost, recordedInput } from './fake-host.js';
import { createSandboxPool } from './index.js';
import type { SandboxPool } from './index.js';

let pool: SandboxPool;
before(() => { pool = createSandboxPool({ memoryMb: 64, timeoutMs: 1000 }); });
after(async () => { await pool.dispose(); });

let seq = 0;
/** Runs `expr` inside the sandbox and returns what it evaluated to, or the error text it threw. */
async function probe(expr: string): Promise<unknown> {
  const host = createFakeHost();
  const fn = await pool.createFunction({
    nodeId: `e${++seq}`, outputs: 1,
    func: `try { const v = await (async () => (${expr}))(); return { payload: { ok: typeof v === 'object' && v !== null ? Object.keys(v).slice(0, 5).join(',') || String(v) : String(v) } }; } catch (e) { return { payload: { err: String(e && e.message || e) } }; }`,
  }, host);
  const input = recordedInput({ payload: 1 });
  await fn.run([input]);
  await fn.close();
  return input.sends[0]![0]![0]!.payload;
}

describe('function sandbox: escape attempts', () => {
  const refused: Array<[string, string]> = [
    ['process', 'process'],
    ['require', "require('fs')"],
    ['globalThis.process', 'globalThis.process.env'],
    ['the Function constructor via this', "this.constructor.constructor('return process')()"],
    ['the Function constructor via a callback', "node.send.constructor('return process')()"],
    ['the Function constructor via context', "context.get.constructor('return require')()"],
    ['Function', "Function('return process')()"],
    ['eval', "eval('process')"],
    ['indirect eval', "(0, eval)('require')"],
    ['module', 'module.exports'],
  ];
  for (const [what, expr] of refused) {
    it(`gives no access to the host through ${what}`, async () => {
      const r = (await probe(expr)) as { err?: string };
      assert.match(String(r.err), /not defined|Cannot read properties of undefined/);
    });
  }

  it('refuses dynamic import', async () => {
    const r = (await probe("import('fs')")) as { err?: string };
    assert.ok(r.err !== undefined, 'import() must fail');
  });

  it('shows user code no host objects among its globals', async () => {
    const r = (await probe("Object.getOwnPropertyNames(globalThis).filter((k) => /process|require|ivm|host|__/.test(k)).join(',') || 'none'")) as { ok?: string };
    assert.equal(r.ok, 'none');
  });

  it('gives callbacks no way back through their arguments or prototype chain', async () => {
    const r = (await probe("[node.send, context.get, env.get, setTimeout].every((f) => Object.getPrototypeOf(f) === Function.prototype && f.constructor === Function) ? 'own-realm' : 'foreign'")) as { ok?: string };
    assert.equal(r.ok, 'own-realm');
  });

  it('keeps one node from seeing another node\'s globals', async () => {
    const host = createFakeHost();
    const a = await pool.createFunction({ nodeId: 'iso-a', outputs: 1, func: 'globalThis.secret = "a-only"; Object.prototype.polluted = 1; return msg;' }, host);
    const b = await pool.createFunction({ nodeId: 'iso-b', outputs: 1, func: 'return { payload: [typeof secret, ({}).polluted] };' }, host);
    await a.run([recordedInput({})]);
    const input = recordedInput({});
    await b.run([input]);
    assert.deepEqual(input.sends[0]![0]![0]!.payload, ['undefined', undefined]);
    await a.close();
    await b.close();
  });

  it('drops __proto__ keys from returned messages so host objects are not polluted', async () => {
    const host = createFakeHost();
    const fn = await pool.createFunction({ nodeId: 'proto', outputs: 1, func: 'const m = JSON.parse(\'{"payload":1,"__proto__":{"polluted":"yes"},"deep":{"__proto__":{"x":1}}}\'); return m;' }, host);
    const input = recordedInput({});
    await fn.run([input]);
    const out = input.sends[0]![0]![0]! as Record<string, unknown>;
    assert.equal(Object.prototype.hasOwnProperty.call(out, '__proto__'), false);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(out['deep']), Object.prototype);
    assert.equal((out['deep'] as Record<string, unknown>)['x'], undefined);
    await fn.close();
  });

  it('lets RED.util.setMessageProperty pollute no shared prototype through __proto__ or constructor', async () => {
    // As in Node-RED and in the host: a key the object does not own is created on it, never
    // walked into up the prototype chain, so Object.prototype stays clean in the context.
    const r = (await probe(
      "(RED.util.setMessageProperty(msg, '__proto__.polluted', 1), RED.util.setMessageProperty(msg, 'constructor.prototype.polluted', 1), " +
        "RED.util.setObjectProperty({}, '__proto__.polluted', 1), String(({}).polluted) + ',' + String(Object.prototype.polluted))",
    )) as { ok?: string; err?: string };
    assert.equal(r.err, undefined);
    assert.equal(r.ok, 'undefined,undefined');
  });
});
