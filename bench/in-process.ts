/**
 * One message benchmark run in-process (no server, no HTTP), for A/B of message-path changes
 * from src/ through tsx and for `--trace-gc`/`--cpu-prof` of the engine alone. Not part of
 * `npm run bench`, and not comparable with Node-RED.
 *
 *   node --import tsx bench/in-process.ts [chain|fan-out|switch|function] [runs]
 *
 * Prints `<wall ms>/<CPU ms>` per run (CPU of the whole process, the collector's threads too).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedoubt } from '../src/index.js';
import { SINGLE_RUN_BENCHES } from './flows/single-runs.js';
import { verifyMarker } from './lib/message-suite.js';

const BENCHES = SINGLE_RUN_BENCHES;

async function main(): Promise<void> {
  const [name = 'fan-out', runsText = '10'] = process.argv.slice(2);
  const make = BENCHES[name];
  const runs = Number(runsText);
  if (!make || !Number.isInteger(runs) || runs < 1) throw new Error(`usage: in-process.ts [${Object.keys(BENCHES).join('|')}] [runs]`);
  const bench = make();
  const userDir = mkdtempSync(join(tmpdir(), 'redoubt-in-process-'));
  let waiting: ((line: string) => void) | undefined;
  const runtime = await createRedoubt({
    userDir,
    log: (entry) => {
      const text = typeof entry.msg === 'string' ? entry.msg : JSON.stringify(entry.msg);
      if (text.includes('done|')) waiting?.(text.slice(text.indexOf('done|')));
    },
  });
  try {
    await runtime.engine.setFlows(bench.build('setup', false) as never, { deploymentType: 'full' });
    const out: string[] = [];
    for (let i = 1; i <= runs; i++) {
      const token = `run${i}`;
      const marker = new Promise<string>((resolve) => (waiting = resolve));
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await runtime.engine.setFlows(bench.build(token, true) as never, { deploymentType: 'nodes' });
      const text = await marker;
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      const wrong = verifyMarker(bench, token, text);
      if (wrong) throw new Error(`run ${i}: ${wrong}`);
      out.push(`${wall.toFixed(0)}/${((cpu.user + cpu.system) / 1000).toFixed(0)}`);
    }
    console.log(`${bench.name} (${bench.messages} msgs): ${out.join(' ')}`);
  } finally {
    await runtime.stop();
    rmSync(userDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
