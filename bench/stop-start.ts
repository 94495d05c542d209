/**
 * CPU of stopping and starting the 10,000-node benchmark flow in-process (no server, no HTTP):
 * the part of a full redeploy that is neither parsing, validation nor saving. Not part of
 * `npm run bench`; run from src/ through tsx, so compare two checkouts, not against Node-RED.
 *
 *   node --import tsx bench/stop-start.ts [cycles]
 *
 * http in/response nodes are left out: without a server they have nowhere to register.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedoubt } from '../src/index.js';
import { largeFlow } from './flows/large-flow.js';

async function main(): Promise<void> {
  const cycles = Number(process.argv[2] ?? 8);
  if (!Number.isInteger(cycles) || cycles < 1) throw new Error(`usage: stop-start.ts [cycles]; got ${process.argv[2]}`);
  const userDir = mkdtempSync(join(tmpdir(), 'redoubt-stop-start-'));
  const runtime = await createRedoubt({ userDir, log: () => undefined });
  try {
    const flows = largeFlow(10_000).filter((n) => n.type !== 'http in' && n.type !== 'http response');
    await runtime.engine.setFlows(flows, { deploymentType: 'full' });
    const stops: number[] = [];
    const starts: number[] = [];
    const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
    for (let i = 0; i < cycles; i++) {
      let c0 = process.cpuUsage();
      await runtime.engine.stopFlows();
      stops.push(cpuMs(process.cpuUsage(c0)));
      c0 = process.cpuUsage();
      await runtime.engine.startFlows();
      starts.push(cpuMs(process.cpuUsage(c0)));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!.toFixed(1);
    console.log(`${flows.length} nodes, ${cycles} cycles: stop CPU median ${median(stops)} ms, start CPU median ${median(starts)} ms`);
  } finally {
    await runtime.stop();
    rmSync(userDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
