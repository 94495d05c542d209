/**
 * `npm run bench`: Redoubt (bundled, `node dist/bundle/main.js start`) and Node-RED 4.1 (`red.js`)
 * side by side, each a real server in its own child process with authentication on, both driven
 * the same way through the Admin API on loopback; alternating, several rounds, medians.
 * BENCH_QUICK=1 for a short smoke run; BENCH_ONLY=startup,http,deploy,chain,fan-out,switch,function
 * to pick benchmarks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chainBench } from './flows/chain.js';
import { fanOutBench } from './flows/fan-out.js';
import { functionChainBench } from './flows/function-chain.js';
import type { MessageBench } from './flows/message-bench.js';
import { switchChainBench } from './flows/switch-chain.js';
import { createBudget } from './lib/budget.js';
import { runDeployBench } from './lib/deploy-suite.js';
import { runHttpBench } from './lib/http-suite.js';
import { runMessageBench } from './lib/message-suite.js';
import { ensureNodeRed } from './lib/node-red-install.js';
import { formatMarkdown, formatSummary, formatTable, type BenchmarkResult } from './lib/results.js';
import { runtimeSetup } from './lib/runtimes.js';
import type { RuntimeKind } from './lib/server-child.js';
import { REDOUBT_MAIN } from './lib/server-setup.js';
import { runStartupBench } from './lib/startup-suite.js';
import { targetChecks } from './lib/targets.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.env.BENCH_QUICK === '1';
const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const wanted = (name: string): boolean => only.length === 0 || only.includes(name);

const config = quick
  ? { messages: { chain: 20000, fanOut: 10000, switch: 20000, function: 10000 }, rounds: 2, warmups: 1, deployRounds: 1, sizes: [2000, 10000], startupRounds: 2, http: { connections: 32, durationS: 3, warmupS: 1, rounds: 1 }, budgetMs: 4 * 60000, runTimeoutMs: 30000, deployTimeoutMs: 60000 }
  : { messages: { chain: 50000, fanOut: 25000, switch: 50000, function: 25000 }, rounds: 5, warmups: 1, deployRounds: 5, sizes: [2000, 10000], startupRounds: 5, http: { connections: 32, durationS: 10, warmupS: 3, rounds: 3 }, budgetMs: 9 * 60000, runTimeoutMs: 60000, deployTimeoutMs: 120000 };
const rounds = Number(process.env.BENCH_ROUNDS) || config.rounds;

/** `npm run build`, as `npm start` does; a build with type errors stops before the bundle, and says so. */
function build(): { ok: boolean; ms: number; note?: string } {
  if (process.env.BENCH_BUILD === '0') return { ok: existsSync(join(root, ...REDOUBT_MAIN)), ms: 0, note: 'BENCH_BUILD=0: dist/ used as it was' };
  const t0 = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8' });
  const ms = Date.now() - t0;
  if (r.status === 0) return { ok: true, ms };
  const first = `${r.stdout}${r.stderr}`.split('\n').filter(Boolean).slice(0, 5).join('\n  ');
  return { ok: false, ms, note: `npm run build failed (exit ${r.status ?? r.signal}); dist/ may be stale or partial:\n  ${first}` };
}

async function main(): Promise<void> {
  const started = Date.now();
  const nodeRed = ensureNodeRed(join(root, '.cache'));
  console.log('building Redoubt (npm run build) ...');
  const built = build();
  if (built.note) console.log(built.note);
  const setup = runtimeSetup(root, nodeRed.packageDir);
  const kinds: RuntimeKind[] = ['node-red', 'redoubt'];
  const budget = createBudget(config.budgetMs);
  const loadAtStart = loadavg()[0];
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryMB: Math.round(totalmem() / 1048576), kernel: release(), node: process.version };
  console.log(`Node-RED ${nodeRed.version} vs Redoubt (dist/), ${quick ? 'quick' : 'full'} mode, ${rounds} rounds; ${machine.cpus} x ${machine.cpuModel}, node ${machine.node}`);
  console.log(`both with admin authentication; Redoubt ${setup.allowList ? 'with' : 'without'} loopback ipAllowList (editor, httpNode)${setup.allowList ? '' : ': its build does not know the setting'}`);

  const results: BenchmarkResult[] = [];
  const record = (r: BenchmarkResult): void => {
    results.push(r);
    console.log(`\n${formatTable(r)}`);
  };

  if (wanted('startup') && !budget.spent()) {
    record(await runStartupBench(setup, { rounds: Number(process.env.BENCH_ROUNDS) || config.startupRounds, settleMs: 1000, budget, kinds }));
  }
  if (wanted('http') && !budget.spent()) {
    record(await runHttpBench(setup, { ...config.http, rounds: Number(process.env.BENCH_ROUNDS) || config.http.rounds, budget, kinds }));
  }
  if (wanted('deploy')) {
    for (const size of config.sizes) {
      if (budget.spent()) break;
      const deployRounds = Number(process.env.BENCH_ROUNDS) || config.deployRounds;
      record(await runDeployBench(size, setup, { rounds: deployRounds, deployTimeoutMs: config.deployTimeoutMs, budget, kinds }));
    }
  }
  const messageBenches: MessageBench[] = [
    chainBench(config.messages.chain),
    fanOutBench(config.messages.fanOut),
    switchChainBench(config.messages.switch),
    functionChainBench(config.messages.function),
  ];
  for (const bench of messageBenches) {
    if (!wanted(bench.name) || budget.spent()) continue;
    record(await runMessageBench(bench, setup, { rounds, warmups: config.warmups, runTimeoutMs: config.runTimeoutMs, budget, kinds }));
  }

  const targets = targetChecks(results);
  console.log(`\n${formatSummary(results)}`);
  console.log('\n== targets (issues 2 and 3)');
  for (const t of targets) console.log(`${t.met === null ? ' n/a' : t.met ? '  ok' : 'MISS'}  ${t.target}: ${t.measured}`);
  const elapsedS = (Date.now() - started) / 1000;
  if (budget.spent()) console.log('\nthe time budget ran out: some rounds or benchmarks were skipped');
  console.log(`\ntotal ${elapsedS.toFixed(0)} s`);

  const out = join(root, 'bench', 'results', quick ? 'latest-quick.json' : 'latest.json');
  mkdirSync(dirname(out), { recursive: true });
  // The 1-minute load average around the run says how busy the machine was with other work.
  const load = { start: loadAtStart, end: loadavg()[0] };
  const meta = { date: new Date().toISOString(), quick, rounds, nodeRedVersion: nodeRed.version, build: built, redoubtAllowList: setup.allowList, http: config.http, machine, load, elapsedS, budgetSpent: budget.spent(), messages: config.messages };
  writeFileSync(out, `${JSON.stringify({ meta, targets, results }, null, 2)}\n`);
  const md = [
    `Measured ${meta.date} (${quick ? 'BENCH_QUICK=1' : 'full'}), Node-RED ${nodeRed.version} (red.js) vs Redoubt (dist/bundle/main.js start), ${machine.cpus} x ${machine.cpuModel}, node ${machine.node}, load ${load.start.toFixed(2)} -> ${load.end.toFixed(2)}, ${elapsedS.toFixed(0)} s. Admin authentication on both; Redoubt ${setup.allowList ? 'with' : 'without'} loopback ipAllowList.${built.ok ? '' : ' The Redoubt build reported errors; dist/ may be stale.'}`,
    formatSummary(results, 'markdown'),
    ...results.map(formatMarkdown),
    `### targets\n\n${targets.map((t) => `- ${t.met === null ? 'n/a' : t.met ? 'met' : 'missed'}: ${t.target}: ${t.measured}`).join('\n')}`,
  ].join('\n\n');
  writeFileSync(out.replace(/\.json$/, '.md'), `${md}\n`);
  console.log(`results written to ${out} (and .md)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
