/**
 * For the tests that hold a function-node global (Buffer, URL, util, RED.util) against the host's
 * own: runs a corpus function inside a function node from its source text and compares its lines
 * with the same corpus run on the host, call by call. Test support only.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Msg } from '../../runtime/types.js';
import { createFakeHost, recordedInput, type FakeHost } from './fake-host.js';
import { createSandboxPool, type FunctionDef, type SandboxPool } from './index.js';

/**
 * tsx transpiles test files with esbuild's keepNames, so a function's source text calls its
 * `__name` helper: the sandbox gets one that names functions as the helper does.
 */
const KEEP_NAMES = "const __name = (f, n) => Object.defineProperty(f, 'name', { value: n, configurable: true });";

/**
 * Runs `corpus` in a function node of `pool`: its source (and that of `helpers`, each bound to
 * its function's name) is sent in, and `call` is the expression that calls it there, such as
 * `bufferCorpus(Buffer)`. Returns the lines the node sent.
 */
export async function corpusInSandbox(pool: SandboxPool, nodeId: string, functions: Array<(...args: never[]) => unknown>, call: string): Promise<string[]> {
  const host = createFakeHost();
  const defined = functions.map((f) => `const ${f.name} = ${f.toString()};`).join('\n');
  const fn = await pool.createFunction({ nodeId, outputs: 1, func: `${KEEP_NAMES}\n${defined}\nreturn { payload: ${call} };` }, host);
  const input = recordedInput({ payload: 1 });
  await fn.run([input]);
  const failed = await input.finished;
  await fn.close();
  assert.equal(failed, undefined, `the corpus failed in the sandbox: ${failed?.message}`);
  assert.deepEqual(host.errors, []);
  const lines = input.sends[0]?.[0]?.[0]?.payload as string[] | undefined;
  assert.ok(Array.isArray(lines), 'the function node sent no corpus');
  return lines;
}

/** Fails with the first differing calls, host beside sandbox, when the two runs differ anywhere. */
export function assertSameLines(onHost: readonly string[], inSandbox: readonly string[]): void {
  assert.equal(inSandbox.length, onHost.length, 'the two runs made a different number of calls');
  const differing = onHost.flatMap((line, i) => (inSandbox[i] === line ? [] : [`host:    ${line}\nsandbox: ${inSandbox[i]}`]));
  assert.deepEqual(differing, [], `${differing.length} of ${onHost.length} calls differ:\n${differing.slice(0, 12).join('\n')}`);
}

/**
 * One message through a function node of `pool` made from `def` (its nodeId and outputs filled
 * in): what it sent on its first output, and the host that recorded its logs.
 */
export async function runOnce(pool: SandboxPool, def: Omit<FunctionDef, 'outputs'>, msg: Msg): Promise<{ sent: Msg | undefined; host: FakeHost }> {
  const host = createFakeHost();
  const fn = await pool.createFunction({ outputs: 1, ...def }, host);
  const input = recordedInput(msg);
  await fn.run([input]);
  const failed = await input.finished;
  await fn.close();
  assert.equal(failed, undefined, `the function failed: ${failed?.message}`);
  return { sent: input.sends[0]?.[0]?.[0] as Msg | undefined, host };
}

/** A pool for the enclosing suite, made before its tests and disposed after them. */
export function suitePool(): () => SandboxPool {
  let pool: SandboxPool | undefined;
  before(() => {
    pool = createSandboxPool({ memoryMb: 64, timeoutMs: 5000 });
  });
  after(async () => {
    await pool?.dispose();
  });
  return () => {
    assert.ok(pool, 'the pool is made before the suite runs');
    return pool;
  };
}

/**
 * A corpus's record, for corpora that show results as JSON: `t(label, f)` adds
 * `label => JSON of f()`, or `label => throws <error name>`. Sent into the sandbox with the corpus
 * (pass it to corpusInSandbox's functions), so it refers to nothing outside itself.
 */
export function corpusLines(): { out: string[]; t: (label: string, f: () => unknown) => void } {
  const out: string[] = [];
  const t = (label: string, f: () => unknown): void => {
    let s: string;
    try {
      s = JSON.stringify(f());
    } catch (e) {
      s = `throws ${(e as Error)?.name}`;
    }
    out.push(`${label} => ${s}`);
  };
  return { out, t };
}
