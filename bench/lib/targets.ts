import type { BenchmarkResult, MetricRow } from './results.js';

export interface TargetCheck {
  target: string;
  measured: string;
  /** null when a runtime gave no number, or logged errors that make the numbers not comparable. */
  met: boolean | null;
}

function find(results: BenchmarkResult[], bench: string): BenchmarkResult | undefined {
  return results.find((r) => r.name === bench);
}

function check(target: string, result: BenchmarkResult | undefined, metric: string, ok: (ratio: number) => boolean, also?: string): TargetCheck {
  const r: MetricRow | undefined = result?.rows.find((m) => m.metric === metric);
  if (!result || !r || r.ratio === null) return { target, measured: 'no ratio (a runtime gave no number)', met: null };
  const extra = also ? result.rows.find((m) => m.metric === also) : undefined;
  const measured = `${r.ratio.toFixed(2)}x (${r.metric})${extra?.ratio != null ? `, ${extra.ratio.toFixed(2)}x (${extra.metric})` : ''}`;
  const flagged = result.notes.find((n) => /not comparable/.test(n));
  if (flagged) return { target, measured: `${measured}; not comparable: ${flagged.split(':')[0]} logged warnings/errors`, met: null };
  return { target, measured, met: ok(r.ratio) };
}

/** The idle target's line also says where servers without a flow engine land (startup-suite.ts). */
function withFloors(c: TargetCheck, startup: BenchmarkResult | undefined): TargetCheck {
  const floors = (startup?.floors ?? []).filter((f) => f.ratio !== null);
  if (floors.length === 0) return c;
  return { ...c, measured: `${c.measured}; servers with no flow engine: ${floors.map((f) => `${(f.ratio as number).toFixed(2)}x (${f.kind})`).join(', ')}` };
}

/** The performance targets issues 2 and 3 set, checked against this run's medians. */
export function targetChecks(results: BenchmarkResult[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const bench of ['chain', 'fan-out', 'switch']) {
    out.push(check(`${bench}: >= 5x Node-RED throughput`, find(results, bench), 'throughput', (x) => x >= 5, 'per CPU-second'));
  }
  out.push(check('function: no slower than Node-RED', find(results, 'function'), 'throughput', (x) => x >= 1, 'per CPU-second'));
  out.push(withFloors(check('idle memory: <= half of Node-RED', find(results, 'startup'), 'idle RSS, after GC', (x) => x <= 0.5, 'idle private memory (RssAnon), after GC'), find(results, 'startup')));
  out.push(check('10,000-node flow memory: <= half of Node-RED', find(results, 'deploy-10000'), 'RSS after deploy, after GC', (x) => x <= 0.5));
  out.push(check('10,000-node full deploy: >= 5x faster', find(results, 'deploy-10000'), 'full deploy, until serving', (x) => x >= 5, 'full deploy CPU'));
  out.push(check('http in -> change -> http response: >= 4x Node-RED requests/s', find(results, 'http'), 'requests/s', (x) => x >= 4, 'CPU per request'));
  return out;
}
