import type { MessageBench } from '../flows/message-bench.js';
import type { Budget } from './budget.js';
import { createCollector, MB, type BenchmarkResult } from './results.js';
import { RuntimeUnavailable, type RuntimeKind, type ServerChild } from './server-child.js';
import { launch, orderFor, type RuntimeSetup } from './runtimes.js';

export interface MessageSuiteOptions {
  rounds: number;
  warmups: number;
  runTimeoutMs: number;
  budget: Budget;
  kinds: RuntimeKind[];
}

/** Checks the marker `done|token|count|check|t0` against what the flow must have computed. */
export function verifyMarker(bench: MessageBench, token: string, marker: string | undefined): string | null {
  const fields = (marker ?? '').split('|');
  if (fields.length < 5) return `malformed marker ${JSON.stringify(marker)}`;
  const [, tok, count, ...rest] = fields;
  rest.pop();
  const check = rest.join('|');
  if (tok !== token) return `marker of another run (${tok})`;
  if (Number(count) !== bench.expected.count) return `count ${count}, expected ${bench.expected.count}`;
  if (check !== bench.expected.check) return `check ${check}, expected ${bench.expected.check}`;
  return null;
}

/** Notes the warnings and errors a runtime printed; such a run is flagged as not comparable. */
export function noteProblems(child: ServerChild, what: string, note: (text: string) => void): void {
  const problems = child.takeProblems();
  if (problems.count === 0) return;
  note(`${child.kind}: ${problems.count} warnings/errors during ${what} (e.g. nodes that failed to start): its numbers are not comparable`);
  for (const line of problems.samples.slice(0, 2)) note(`${child.kind} logged during ${what}: ${line}`);
}

async function runOnce(child: ServerChild, bench: MessageBench, token: string, timeoutMs: number): Promise<{ ms: number; cpu: number }> {
  const wait = child.waitMarker(token, timeoutMs);
  wait.catch(() => undefined);
  const cpu0 = child.cpu();
  await child.admin.deploy(bench.build(token, true), 'nodes', timeoutMs);
  const marker = await wait;
  const cpu = child.cpu() - cpu0;
  const wrong = verifyMarker(bench, token, marker.text);
  if (wrong) throw new Error(`${child.kind} ${bench.name}: wrong result: ${wrong}`);
  const t0 = Number(marker.text.split('|').pop());
  return { ms: marker.at - t0, cpu };
}

/**
 * One server per runtime for the whole benchmark; the flow is deployed once with `POST /flows`,
 * then every run redeploys only its inject node (deployment type 'nodes') with a new token and
 * `once` set, and waits for the marker its console debug node prints. `warmups` unmeasured runs
 * each, then `rounds` measured runs, alternating which runtime goes first.
 */
export async function runMessageBench(bench: MessageBench, setup: RuntimeSetup, options: MessageSuiteOptions): Promise<BenchmarkResult> {
  const c = createCollector(bench.name, `${bench.title}: ${bench.messages.toLocaleString('en-US')} msgs per run`);
  const children = new Map<RuntimeKind, ServerChild>();
  const note = (t: string): void => c.note(t);
  try {
    for (const kind of options.kinds) {
      let child: ServerChild | undefined;
      try {
        child = await launch(kind, setup);
        children.set(kind, child);
        await child.admin.deploy(bench.build('warm-deploy', false), 'full', options.runTimeoutMs);
        // The first runs are slow while V8 compiles the hot paths of both runtimes.
        for (let n = 1; n <= options.warmups; n++) await runOnce(child, bench, `${kind}-warmup-${n}`, options.runTimeoutMs);
        noteProblems(child, 'deploy and warm-up', note);
      } catch (err) {
        c.note(err instanceof RuntimeUnavailable ? err.message : `${kind} failed: ${(err as Error).message.split('\n')[0]}`);
        if (!(err instanceof RuntimeUnavailable) && process.env.BENCH_DEBUG) console.error(err);
        await child?.close();
        children.delete(kind);
      }
    }
    for (let round = 0; round < options.rounds && !options.budget.spent(); round++) {
      for (const kind of orderFor(round, options.kinds)) {
        const child = children.get(kind);
        if (!child) continue;
        try {
          const { ms, cpu } = await runOnce(child, bench, `${kind}-r${round}`, options.runTimeoutMs);
          noteProblems(child, 'a run', note);
          c.add('throughput', 'msg/s', 'rate', kind, (bench.messages * 1000) / ms);
          c.add('per CPU-second', 'msg/cpu-s', 'rate', kind, cpu > 0 ? bench.messages / cpu : null);
          c.add('run time', 'ms', 'time', kind, ms);
        } catch (err) {
          c.note(`${kind} round ${round} failed: ${(err as Error).message.split('\n')[0]}`);
          if (process.env.BENCH_DEBUG) console.error(err);
        }
      }
    }
    for (const [kind, child] of children) {
      const mem = await child.mem();
      c.add('RSS after runs, after GC', 'MB', 'memory', kind, mem.rss / MB);
      const peak = child.peakRss();
      if (peak !== null) c.add('peak RSS', 'MB', 'memory', kind, peak / MB);
    }
  } finally {
    await Promise.all([...children.values()].map((ch) => ch.close()));
  }
  return c.result();
}
