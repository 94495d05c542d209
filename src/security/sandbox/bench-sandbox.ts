// Per-message cost of the function sandbox, against a Node `vm` baseline shaped like Node-RED's
// function node (the baseline exists only for this comparison; `vm` is no security boundary).
// Run: node --import tsx src/security/sandbox/bench-sandbox.ts
import vm from 'node:vm';
import { createFakeHost } from './fake-host.js';
import { createSandboxPool } from './index.js';
import type { SandboxInput } from './index.js';
import type { Msg } from '../../runtime/types.js';

const BODY = 'msg.payload += 1; return msg;';
const TOTAL = Number(process.env['BENCH_MESSAGES'] ?? 20_000);
const BATCHES = [1, 10, 100, 1000];

function makeVmBaseline(): (msg: Msg) => Promise<unknown> {
  const sandbox: Record<string, unknown> = { Buffer, console };
  const context = vm.createContext(sandbox);
  const script = new vm.Script(`results = (async function (msg) { var node = { id: 'n', send() {}, done() {} };\n${BODY}\n})(msg);`);
  return (msg) => {
    sandbox['msg'] = msg;
    script.runInContext(context);
    return sandbox['results'] as Promise<unknown>;
  };
}

async function measure(label: string, batch: number, runBatch: (msgs: Msg[]) => Promise<unknown>): Promise<number> {
  const rounds = Math.max(1, Math.floor(TOTAL / batch));
  const makeMsgs = (r: number) => Array.from({ length: batch }, (_, i) => ({ _msgid: `${r}-${i}`, payload: i, topic: 't' }));
  // Warm both JITs (the isolate has its own) on a few thousand messages before timing.
  for (let r = 0; r < Math.max(20, Math.ceil(5000 / batch)); r++) await runBatch(makeMsgs(r));
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) await runBatch(makeMsgs(r));
  const us = Number(process.hrtime.bigint() - start) / 1000 / (rounds * batch);
  console.log(`${label.padEnd(22)} batch ${String(batch).padStart(4)}: ${us.toFixed(2).padStart(8)} µs/msg`);
  return us;
}

async function main(): Promise<void> {
  const pool = createSandboxPool({ memoryMb: 64, timeoutMs: 1000 });
  const fn = await pool.createFunction({ nodeId: 'bench', func: BODY, outputs: 1 }, createFakeHost());
  const runIsolated = async (msgs: Msg[]) => {
    const inputs: SandboxInput[] = msgs.map((msg) => ({ msg, send: () => undefined, done: () => undefined }));
    await fn.run(inputs);
  };
  const baseline = makeVmBaseline();
  const runVm = async (msgs: Msg[]) => { await Promise.all(msgs.map((m) => baseline(m))); };
  console.log(`${TOTAL} messages of '${BODY}' per row`);
  for (const batch of BATCHES) {
    const iso = await measure('isolated-vm sandbox', batch, runIsolated);
    const base = await measure('node:vm (Node-RED)', batch, runVm);
    console.log(`${''.padEnd(22)} ratio ${(iso / base).toFixed(1)}x`);
  }
  await pool.dispose();
}

await main();
