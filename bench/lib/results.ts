import { median, ratio } from './stats.js';

/**
 * How a metric compares: `rate` and `time` give a speedup of Redoubt over Node-RED (higher is
 * better for Redoubt), `memory` gives Redoubt's share of Node-RED's memory (lower is better).
 */
export type MetricKind = 'rate' | 'time' | 'memory';

export interface MetricRow {
  metric: string;
  unit: string;
  kind: MetricKind;
  nodeRed: number | null;
  redoubt: number | null;
  ratio: number | null;
  samples: { nodeRed: number[]; redoubt: number[] };
}

export interface BenchmarkResult {
  name: string;
  title: string;
  notes: string[];
  rows: MetricRow[];
  /** Startup only: idle memory of the floor servers (drivers/floor-server.mjs), medians. */
  floors?: FloorResult[];
}

/** A floor server's idle memory, and its share of Node-RED's idle RSS in the same run. */
export interface FloorResult {
  kind: string;
  /** What it holds, for the reader. */
  holds: string;
  rss: number;
  anonRss: number | null;
  heapUsed: number | null;
  /** floor RSS / Node-RED's median idle RSS. */
  ratio: number | null;
  samples: number[];
}

/** Collects samples per metric for both runtimes and turns them into median rows. */
export function createCollector(name: string, title: string): {
  add(metric: string, unit: string, kind: MetricKind, runtime: 'node-red' | 'redoubt', value: number | null | undefined): void;
  note(text: string): void;
  result(): BenchmarkResult;
} {
  const rows = new Map<string, { unit: string; kind: MetricKind; nodeRed: number[]; redoubt: number[] }>();
  const notes: string[] = [];
  return {
    add(metric, unit, kind, runtime, value) {
      let row = rows.get(metric);
      if (!row) {
        row = { unit, kind, nodeRed: [], redoubt: [] };
        rows.set(metric, row);
      }
      if (typeof value === 'number' && Number.isFinite(value)) (runtime === 'node-red' ? row.nodeRed : row.redoubt).push(value);
    },
    note(text) {
      // A runtime that warns on every run would otherwise bury the table.
      if (!notes.includes(text) && notes.length < 8) notes.push(text);
    },
    result() {
      const out: MetricRow[] = [];
      for (const [metric, row] of rows) {
        const nr = median(row.nodeRed);
        const rd = median(row.redoubt);
        const r = row.kind === 'time' ? ratio(nr, rd) : ratio(rd, nr);
        out.push({ metric, unit: row.unit, kind: row.kind, nodeRed: nr, redoubt: rd, ratio: r, samples: { nodeRed: row.nodeRed, redoubt: row.redoubt } });
      }
      return { name, title, notes, rows: out };
    },
  };
}

function fmt(v: number | null, unit: string): string {
  if (v === null) return 'n/a';
  if (unit === 'MB') return v.toFixed(1);
  if (unit === 'ms') return v < 10 ? v.toFixed(2) : v.toFixed(0);
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(2);
}

export function ratioText(row: MetricRow): string {
  if (row.ratio === null) return 'n/a';
  if (row.kind === 'memory') return `${row.ratio.toFixed(2)}x mem`;
  // CPU used and latency are amounts, not speeds: "lower" reads right where "faster" would not.
  const [better, worse] = row.kind === 'time' && /CPU|latency/.test(row.metric) ? ['lower', 'higher'] : ['faster', 'slower'];
  return row.ratio >= 1 ? `${row.ratio.toFixed(2)}x ${better}` : `${(1 / row.ratio).toFixed(2)}x ${worse}`;
}

/** A plain-text table, as printed at the end of each benchmark. */
export function formatTable(result: BenchmarkResult): string {
  const head = ['metric', 'Node-RED', 'Redoubt', 'ratio (Redoubt vs Node-RED)'];
  const lines = result.rows.map((r) => [`${r.metric} (${r.unit})`, fmt(r.nodeRed, r.unit), fmt(r.redoubt, r.unit), ratioText(r)]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [`== ${result.title}`, row(head), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(row)];
  for (const n of result.notes) out.push(`   note: ${n}`);
  return out.join('\n');
}

/** The same rows as a Markdown table, for docs/PERFORMANCE.md. */
export function formatMarkdown(result: BenchmarkResult): string {
  const out = [`### ${result.title}`, '', '| metric | Node-RED 4.1 | Redoubt | ratio |', '|---|---:|---:|---:|'];
  for (const r of result.rows) out.push(`| ${r.metric} (${r.unit}) | ${fmt(r.nodeRed, r.unit)} | ${fmt(r.redoubt, r.unit)} | ${ratioText(r)} |`);
  for (const n of result.notes) out.push('', `_${n}_`);
  return out.join('\n');
}

export const MB = 1024 * 1024;

/** The rows the one-table summary shows for each benchmark; every row is in the per-benchmark tables. */
const HEADLINES: Array<{ match: (name: string) => boolean; metrics: string[] }> = [
  { match: (n) => n === 'startup', metrics: ['startup, to GET /settings answering', 'idle RSS, after GC'] },
  { match: (n) => n === 'http', metrics: ['requests/s', 'latency p99', 'CPU per request'] },
  { match: (n) => n.startsWith('deploy-'), metrics: ['full deploy, until serving', 'full deploy CPU', "redeploy 'nodes', 1 node modified", 'RSS after deploy, after GC'] },
  { match: () => true, metrics: ['throughput', 'per CPU-second'] },
];

/** One table of the headline rows of every benchmark, with ratios, as text or Markdown. */
export function formatSummary(results: BenchmarkResult[], format: 'text' | 'markdown' = 'text'): string {
  const lines: string[][] = [];
  for (const result of results) {
    const wanted = HEADLINES.find((h) => h.match(result.name))?.metrics ?? [];
    const flagged = result.notes.some((n) => /not comparable/.test(n)) ? ' *' : '';
    for (const metric of wanted) {
      const r = result.rows.find((row) => row.metric === metric);
      if (r) lines.push([`${result.name}${flagged}`, `${r.metric} (${r.unit})`, fmt(r.nodeRed, r.unit), fmt(r.redoubt, r.unit), ratioText(r)]);
    }
  }
  const head = ['benchmark', 'metric', 'Node-RED', 'Redoubt', 'ratio'];
  const footnote = 'benchmarks marked * had warnings, errors or failed requests: see their notes';
  if (format === 'markdown') {
    const md = ['### summary', '', '| benchmark | metric | Node-RED 4.1 | Redoubt | ratio |', '|---|---|---:|---:|---:|', ...lines.map((l) => `| ${l.join(' | ')} |`)];
    if (lines.some((l) => l[0].endsWith('*'))) md.push('', `_${footnote}_`);
    return md.join('\n');
  }
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = ['== summary (medians; ratio = Redoubt vs Node-RED)', row(head), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(row)];
  if (lines.some((l) => l[0].endsWith('*'))) out.push(`   ${footnote}`);
  return out.join('\n');
}
