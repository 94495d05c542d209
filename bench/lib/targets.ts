import type { BenchmarkResult, MetricRow } from './results.js';

export interface TargetCheck {
  target: string;
  measured: string;
  /** null when Redoubt (or Node-RED) gave no number. */
  met: boolean | null;
}

function row(results: BenchmarkResult[], bench: string, metric: string): MetricRow | undefined {
  return results.find((r) => r.name === bench)?.rows.find((m) => m.metric === metric);
}

function check(target: string, r: MetricRow | undefined, ok: (ratio: number) => boolean): TargetCheck {
  if (!r || r.ratio === null) return { target, measured: 'no ratio (a runtime gave no number)', met: null };
  return { target, measured: `${r.ratio.toFixed(2)}x (${r.metric})`, met: ok(r.ratio) };
}

/** The performance targets issue 2 sets, checked against this run's medians. */
export function targetChecks(results: BenchmarkResult[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const bench of ['chain', 'fan-out', 'switch']) {
    out.push(check(`${bench}: >= 5x Node-RED throughput`, row(results, bench, 'throughput'), (x) => x >= 5));
  }
  out.push(check('function: no slower than Node-RED', row(results, 'function', 'throughput'), (x) => x >= 1));
  out.push(check('idle memory: <= half of Node-RED', row(results, 'startup', 'idle RSS, after GC'), (x) => x <= 0.5));
  out.push(check('10,000-node flow memory: <= half of Node-RED', row(results, 'deploy-10000', 'RSS after deploy, after GC'), (x) => x <= 0.5));
  out.push(check('10,000-node full deploy: >= 5x faster', row(results, 'deploy-10000', 'full deploy'), (x) => x >= 5));
  return out;
}
