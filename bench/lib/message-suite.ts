import type { MessageBench } from '../flows/message-bench.js';
import type { Budget } from './budget.js';
import { createCollector, MB, type BenchmarkResult } from './results.js';
import { RuntimeUnavailable, type RuntimeChild, type RuntimeKind } from './runtime-child.js';
import { launch, orderFor, type RuntimeSetup } from './runtimes.js';

export interface MessageSuiteOptions {
  rounds: number;
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

async function runOnce(child: RuntimeChild, bench: MessageBench, token: string, timeoutMs: number): Promise<{ ms: number; cpu: number; warnings: string[] }> {
  const cpu0 = child.cpu();
  const reply = await child.request({ cmd: 'run', flows: bench.build(token, true), type: 'nodes', token, timeoutMs });
  const cpu = child.cpu() - cpu0;
  if (!reply.ok) throw new Error(`${child.kind} ${bench.name}: ${reply.error}\n${(reply.log ?? []).join('\n')}`);
  const wrong = verifyMarker(bench, token, reply.marker);
  if (wrong) throw new Error(`${child.kind} ${bench.name}: wrong result: ${wrong}`);
  return { ms: reply.ms ?? NaN, cpu, warnings: reply.warnings ?? [] };
}

/**
 * One child per runtime for the whole benchmark; the flow is deployed once, then every run
 * redeploys only its inject node (deploymentType 'nodes') with a new token and `once` set, and
 * waits for the marker. Two unmeasured warm-up runs each, then `rounds` measured runs, alternating.
 */
export async function runMessageBench(bench: MessageBench, setup: RuntimeSetup, options: MessageSuiteOptions): Promise<BenchmarkResult> {
  const c = createCollector(bench.name, `${bench.title}: ${bench.messages.toLocaleString('en-US')} msgs per run`);
  const children = new Map<RuntimeKind, RuntimeChild>();
  try {
    for (const kind of options.kinds) {
      try {
        const child = await launch(kind, setup);
        children.set(kind, child);
        const warm = await child.request({ cmd: 'deploy', flows: bench.build('warm-deploy', false), type: 'full', timeoutMs: options.runTimeoutMs });
        if (!warm.ok) throw new Error(`${kind} deploy failed: ${warm.error}\n${(warm.log ?? []).join('\n')}`);
        for (const w of warm.warnings ?? []) c.note(`${kind} logged: ${w}`);
        // Two unmeasured runs: the first is slow while V8 compiles the hot paths of both runtimes.
        for (const n of [1, 2]) {
          const { warnings } = await runOnce(child, bench, `${kind}-warmup-${n}`, options.runTimeoutMs);
          for (const w of warnings) c.note(`${kind} logged: ${w}`);
        }
      } catch (err) {
        c.note(err instanceof RuntimeUnavailable ? err.message : `${kind} failed: ${(err as Error).message.split('\n')[0]}`);
        if (!(err instanceof RuntimeUnavailable) && process.env.BENCH_DEBUG) console.error(err);
        await children.get(kind)?.close();
        children.delete(kind);
      }
    }
    for (let round = 0; round < options.rounds && !options.budget.spent(); round++) {
      for (const kind of orderFor(round, options.kinds)) {
        const child = children.get(kind);
        if (!child) continue;
        try {
          const { ms, cpu, warnings } = await runOnce(child, bench, `${kind}-r${round}`, options.runTimeoutMs);
          for (const w of warnings) c.note(`${kind} logged: ${w}`);
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
      const mem = await child.request({ cmd: 'mem', timeoutMs: 10000 });
      if (mem.ok && mem.mem) c.add('RSS after runs, after GC', 'MB', 'memory', kind, mem.mem.rss / MB);
      const peak = child.peakRss();
      if (peak !== null) c.add('peak RSS', 'MB', 'memory', kind, peak / MB);
    }
  } finally {
    await Promise.all([...children.values()].map((ch) => ch.close()));
  }
  return c.result();
}
