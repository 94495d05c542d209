import { createRequire } from 'node:module';
import { HTTP_BENCH_BODY, HTTP_BENCH_PATH, httpBenchFlow } from '../flows/http-bench.js';
import type { Budget } from './budget.js';
import { noteProblems } from './message-suite.js';
import { createCollector, MB, type BenchmarkResult } from './results.js';
import { RuntimeUnavailable, type RuntimeKind, type ServerChild } from './server-child.js';
import { launch, orderFor, type RuntimeSetup } from './runtimes.js';

export interface HttpSuiteOptions {
  /** Open connections, each with one request in flight (no pipelining). */
  connections: number;
  durationS: number;
  warmupS: number;
  rounds: number;
  budget: Budget;
  kinds: RuntimeKind[];
}

/** The part of autocannon's result the benchmark reads (autocannon ships no types). */
export interface LoadResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  requests: { total: number };
  latency: { p50: number; p99: number; average: number };
}

type Autocannon = (options: Record<string, unknown>) => Promise<LoadResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Fixed concurrency, fixed duration, per-request timeout: the load is bounded whatever the server does. */
export function load(url: string, connections: number, durationS: number): Promise<LoadResult> {
  return autocannon({ url, connections, duration: durationS, pipelining: 1, timeout: 10 });
}

export interface LoadMetrics {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMicrosPerRequest: number | null;
  failed: number;
}

/** Turns one load run and the server's CPU over it into the reported metrics. */
export function loadMetrics(result: LoadResult, cpuSeconds: number): LoadMetrics {
  const ok = result['2xx'];
  const total = result.requests.total;
  return {
    requestsPerSecond: result.duration > 0 ? ok / result.duration : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuMicrosPerRequest: total > 0 ? (cpuSeconds * 1e6) / total : null,
    failed: result.errors + result.timeouts + result.non2xx,
  };
}

async function checkBody(child: ServerChild): Promise<void> {
  const body = await child.admin.waitFor(HTTP_BENCH_PATH, 30000);
  if (body !== HTTP_BENCH_BODY) throw new Error(`${child.kind}: GET ${HTTP_BENCH_PATH} answered ${JSON.stringify(body.slice(0, 100))}, expected ${JSON.stringify(HTTP_BENCH_BODY)}`);
}

/**
 * http in -> change -> http response under load: one server per runtime, the flow deployed with
 * `POST /flows`, an unmeasured warm-up, then `rounds` runs of `durationS` seconds at
 * `connections` connections from autocannon in the harness process, alternating runtimes. CPU
 * per request is the server process's CPU over the run (from /proc) divided by the requests.
 */
export async function runHttpBench(setup: RuntimeSetup, options: HttpSuiteOptions): Promise<BenchmarkResult> {
  const c = createCollector('http', `http in -> change -> http response, ${options.connections} connections, ${options.durationS} s runs`);
  const children = new Map<RuntimeKind, ServerChild>();
  const note = (t: string): void => c.note(t);
  try {
    for (const kind of options.kinds) {
      let child: ServerChild | undefined;
      try {
        child = await launch(kind, setup);
        children.set(kind, child);
        await child.admin.deploy(httpBenchFlow(), 'full', 60000);
        await checkBody(child);
        await load(`${child.admin.baseUrl}${HTTP_BENCH_PATH}`, options.connections, options.warmupS);
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
          const cpu0 = child.cpu();
          const result = await load(`${child.admin.baseUrl}${HTTP_BENCH_PATH}`, options.connections, options.durationS);
          const m = loadMetrics(result, child.cpu() - cpu0);
          noteProblems(child, 'a load run', note);
          if (m.failed > 0) c.note(`${kind} round ${round}: ${m.failed} requests failed (errors, timeouts or non-2xx): its numbers are not comparable`);
          c.add('requests/s', 'req/s', 'rate', kind, m.requestsPerSecond);
          c.add('latency p50', 'ms', 'time', kind, m.p50Ms);
          c.add('latency p99', 'ms', 'time', kind, m.p99Ms);
          c.add('CPU per request', 'µs', 'time', kind, m.cpuMicrosPerRequest);
          c.add('requests per CPU-second', 'req/cpu-s', 'rate', kind, m.cpuMicrosPerRequest ? 1e6 / m.cpuMicrosPerRequest : null);
        } catch (err) {
          c.note(`${kind} round ${round} failed: ${(err as Error).message.split('\n')[0]}`);
          if (process.env.BENCH_DEBUG) console.error(err);
        }
      }
    }
    for (const [kind, child] of children) {
      await checkBody(child);
      const mem = await child.mem();
      c.add('RSS after load, after GC', 'MB', 'memory', kind, mem.rss / MB);
      const peak = child.peakRss();
      if (peak !== null) c.add('peak RSS', 'MB', 'memory', kind, peak / MB);
    }
  } finally {
    await Promise.all([...children.values()].map((ch) => ch.close()));
  }
  return c.result();
}
