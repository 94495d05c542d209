/**
 * One server, one message benchmark, every run printed: for looking into a number that the full
 * run only gives as a median of three (a benchmark whose speed comes in modes, a profile of one
 * runtime). Not part of `npm run bench`; it builds nothing, so run `npm run build` first.
 *
 *   node --import tsx bench/one-server.ts [chain|fan-out|switch|function] [runs]
 *   KIND=node-red node --import tsx bench/one-server.ts switch 8
 *   BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node --import tsx bench/one-server.ts fan-out
 *
 * Prints `<wall ms>/<server CPU ms>` per run; the first run includes the JIT's warm-up.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SINGLE_RUN_BENCHES } from './flows/single-runs.js';
import { verifyMarker } from './lib/message-suite.js';
import { ensureNodeRed } from './lib/node-red-install.js';
import { launch, runtimeSetup } from './lib/runtimes.js';
import type { RuntimeKind } from './lib/server-child.js';

const BENCHES = SINGLE_RUN_BENCHES;

async function main(): Promise<void> {
  const [name = 'switch', runsText = '8'] = process.argv.slice(2);
  const make = BENCHES[name];
  const runs = Number(runsText);
  if (!make || !Number.isInteger(runs) || runs < 1) {
    throw new Error(`usage: one-server.ts [${Object.keys(BENCHES).join('|')}] [runs]; got ${name} ${runsText}`);
  }
  const kind: RuntimeKind = process.env.KIND === 'node-red' ? 'node-red' : 'redoubt';
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const setup = runtimeSetup(root, ensureNodeRed(join(root, '.cache')).packageDir);
  const bench = make();
  const child = await launch(kind, setup);
  try {
    await child.admin.deploy(bench.build('setup', false), 'full', 60_000);
    const out: string[] = [];
    // PAUSE_MS idles the server between runs, as it idles in `npm run bench` while the other
    // runtime takes its turn.
    const pauseMs = Number(process.env.PAUSE_MS ?? 0) || 0;
    for (let i = 1; i <= runs; i++) {
      if (pauseMs > 0 && i > 1) await new Promise((r) => setTimeout(r, pauseMs));
      const token = `run${i}`;
      const marker = child.waitMarker(token, 60_000);
      const cpu0 = child.cpu();
      await child.admin.deploy(bench.build(token, true), 'nodes', 60_000);
      const { text, at } = await marker;
      const wrong = verifyMarker(bench, token, text);
      if (wrong) throw new Error(`run ${i}: wrong result: ${wrong}`);
      out.push(`${(at - Number(text.split('|').pop())).toFixed(0)}/${((child.cpu() - cpu0) * 1000).toFixed(0)}`);
    }
    console.log(`${kind} ${bench.name} (${bench.messages} msgs): ${out.join(' ')}`);
  } finally {
    await child.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
