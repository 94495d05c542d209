// Cost of many function nodes in one pool: creation time and isolate heap per node.
// Run: node --import tsx src/security/sandbox/bench-contexts.ts [count]
import { createFakeHost } from './fake-host.js';
import { createSandboxPool } from './index.js';
import type { SandboxedFunction } from './index.js';

const COUNT = Number(process.argv[2] ?? 2000);

async function main(): Promise<void> {
  const logs: string[] = [];
  const pool = createSandboxPool({ memoryMb: 64, timeoutMs: 1000, log: (_l, m) => logs.push(m) });
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const fns: SandboxedFunction[] = await Promise.all(Array.from({ length: COUNT }, (_, i) =>
    pool.createFunction({ nodeId: `f${i}`, func: `msg.payload += ${i}; return msg;`, outputs: 1 }, createFakeHost())));
  const createMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu1 = process.cpuUsage(cpu0);
  const stats = await pool.stats();
  console.log(`created ${COUNT} functions in ${createMs.toFixed(0)} ms wall, ${((cpu1.user + cpu1.system) / 1000).toFixed(0)} ms cpu (${(createMs * 1000 / COUNT).toFixed(0)} µs/node)`);
  console.log(`rss +${((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(1)} MB`, stats ? JSON.stringify(stats) : '');
  if (process.env['BENCH_CREATE_ONLY'] === '1') { await pool.dispose(); return; }
  // First message to every node: lazily built contexts pay here.
  const t1 = process.hrtime.bigint();
  const cpu2 = process.cpuUsage();
  let ok = 0;
  await Promise.all(fns.map(async (fn, i) => {
    const [r] = await fn.run([{ msg: { payload: 0 }, send: () => undefined, done: () => undefined }]);
    if (r?.status === 'ok' && i >= 0) ok++;
  }));
  const firstMs = Number(process.hrtime.bigint() - t1) / 1e6;
  const cpu3 = process.cpuUsage(cpu2);
  console.log(`first message to each: ${firstMs.toFixed(0)} ms wall, ${((cpu3.user + cpu3.system) / 1000).toFixed(0)} ms cpu, ${ok}/${COUNT} ok, rss +${((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(1)} MB`);
  const after = await pool.stats();
  console.log(`${JSON.stringify(after)}: ${(after.heapUsedBytes / Math.max(1, after.contexts) / 1024).toFixed(0)} KB heap per context`);
  if (logs.length > 0) console.log('pool log:', logs.slice(0, 3).join(' | '), `(${logs.length})`);
  const t2 = process.hrtime.bigint();
  await pool.dispose();
  console.log(`dispose ${(Number(process.hrtime.bigint() - t2) / 1e6).toFixed(0)} ms`);
}

await main();
