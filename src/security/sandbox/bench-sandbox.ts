// Per-message cost of the function sandbox, against a Node `vm` baseline shaped like Node-RED's
// function node (the baseline exists only for this comparison; `vm` is no security boundary).
// Reports wall time and CPU time (all threads: the isolate runs on threads of its own) per message.
// Messages look like a split node's output, as in the benchmark's function chain.
// Run: node --import tsx src/security/sandbox/bench-sandbox.ts
import vm from 'node:vm';
import { createFakeHost } from './fake-host.js';
import { createSandboxPool } from './index.js';
import type { SandboxInput } from './index.js';
import type { Msg } from '../../runtime/types.js';

const BODY = 'msg.payload += 1; return msg;';
const TOTAL = Number(process.env['BENCH_MESSAGES'] ?? 20_000);
const BATCHES = (process.env['BENCH_BATCHES'] ?? '1,100,1000').split(',').map(Number);

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

interface Cost { wall: number; cpu: number }

async function measure(label: string, batch: number, runBatch: (msgs: Msg[]) => Promise<unknown>, isolateCpuUs?: () => Promise<number>): Promise<Cost> {
  const rounds = Math.max(1, Math.floor(TOTAL / batch));
  const makeMsgs = (r: number) => Array.from({ length: batch }, (_, i) => ({
    _msgid: `${r}-${i}`, payload: i, topic: 't', parts: { id: `p${r}`, type: 'array', count: batch, len: 1, index: i },
  }));
  // Warm both JITs (the isolate has its own) on a few thousand messages before timing.
  for (let r = 0; r < Math.max(20, Math.ceil(5000 / batch)); r++) await runBatch(makeMsgs(r));
  const iso0 = isolateCpuUs ? await isolateCpuUs() : 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) await runBatch(makeMsgs(r));
  const n = rounds * batch;
  const wall = Number(process.hrtime.bigint() - start) / 1000 / n;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / n;
  const inIsolate = isolateCpuUs ? ` (${((await isolateCpuUs() - iso0) / n).toFixed(2)} in the isolate)` : '';
  console.log(`${label.padEnd(22)} batch ${String(batch).padStart(4)}: ${wall.toFixed(2).padStart(8)} µs/msg wall ${cpu.toFixed(2).padStart(8)} µs/msg cpu${inIsolate}`);
  return { wall, cpu };
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
    const iso = await measure('isolated-vm sandbox', batch, runIsolated, async () => (await pool.stats()).cpuTimeUs);
    if (process.env['BENCH_SKIP_VM'] === '1') continue;
    const base = await measure('node:vm (Node-RED)', batch, runVm);
    console.log(`${''.padEnd(22)} ratio ${(iso.wall / base.wall).toFixed(2)}x wall, ${(iso.cpu / base.cpu).toFixed(2)}x cpu`);
  }
  await pool.dispose();
}

await main();
