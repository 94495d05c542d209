/**
 * Turns what a runtime showed while an example ran into comparable lines: one string per
 * observation, with what differs from run to run by nature (message ids, timestamps, dates, the
 * sandbox directory, process ids, stack traces) replaced by placeholders.
 */
import type { RawEntry } from './protocol.js';

/** A node of the example: its type and how its debug output is configured. */
export interface NodeInfo {
  type: string;
  console?: boolean;
}

export interface Observation {
  /** Full line, compared for equality. */
  line: string;
  /** What is left when only the shape counts (channel, node, property, value kind). */
  shape: string;
}

// Milliseconds since 1970 between 2017 and 2049: Date.now() values from inject nodes and logs.
const TIMESTAMP_TEXT = /\b(1[5-9]|2[0-4])\d{11}\b/g;
const isTimestamp = (n: number): boolean => Number.isInteger(n) && n >= 1.5e12 && n < 2.5e12;
const ISO_DATE = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})\b/g;

export function normaliseText(text: string, sandboxDir: string): string {
  return text
    .split(sandboxDir)
    .join('<tmp>')
    .replace(ISO_DATE, '<date>')
    .replace(TIMESTAMP_TEXT, '<timestamp>')
    .replace(/\bpid:\d+/g, 'pid:<pid>');
}

/** Message ids, sequence ids and stack traces are runtime-specific; everything else is data. */
function normaliseValue(value: unknown, sandboxDir: string, key = '', parentKey = ''): unknown {
  if (key === '_msgid' || key === 'stack' || (parentKey === 'parts' && key === 'id')) return `<${key === 'id' ? 'parts.id' : key}>`;
  if (typeof value === 'number') return isTimestamp(value) ? '<timestamp>' : value;
  if (typeof value === 'string') return normaliseText(value, sandboxDir);
  if (Array.isArray(value)) return value.map((v) => normaliseValue(v, sandboxDir, '', key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = normaliseValue((value as Record<string, unknown>)[k], sandboxDir, k, key);
    return out;
  }
  return value;
}

/**
 * The sidebar's text of a debug message: objects and arrays arrive as JSON text; they are
 * compared as data with sorted keys (the sidebar shows them as a tree, not as text).
 */
function normaliseDebugMsg(msg: unknown, format: string, sandboxDir: string): string {
  if (typeof msg === 'string' && (format === 'Object' || format.startsWith('array'))) {
    try {
      return JSON.stringify(normaliseValue(JSON.parse(msg), sandboxDir));
    } catch {
      // Not JSON after all (a truncated long value): compare the text.
      return normaliseText(msg, sandboxDir);
    }
  }
  if (typeof msg === 'string') return normaliseText(msg, sandboxDir);
  return JSON.stringify(normaliseValue(msg, sandboxDir));
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** A status replaced this soon is never seen by anyone; runtimes may differ in such flickers. */
export const STATUS_FLICKER_MS = 10;

/**
 * Status as the editor sees it: Node-RED's comms forwards an empty status only when it clears
 * one that was shown, and only text, fill and shape. A status that the same node replaces within
 * STATUS_FLICKER_MS is not shown either (Node-RED's debug node sets a grey ring and clears it in
 * the same tick when it starts).
 */
function visibleStatuses(entries: RawEntry[]): Array<{ id: string; status: Record<string, string> }> {
  const updates = entries
    .filter((e) => e.channel === 'status')
    .map((e) => {
      const raw = (e.data.status ?? {}) as Record<string, unknown>;
      const status: Record<string, string> = {};
      for (const k of ['fill', 'shape', 'text'] as const) if (raw[k] !== undefined && raw[k] !== null && raw[k] !== '') status[k] = String(raw[k]);
      return { id: str(e.data.id), at: e.at, status };
    });
  const lasting = updates.filter((u, i) => {
    const next = updates.slice(i + 1).find((v) => v.id === u.id);
    return !next || next.at - u.at > STATUS_FLICKER_MS;
  });
  const shown = new Set<string>();
  const out: Array<{ id: string; status: Record<string, string> }> = [];
  for (const { id, status } of lasting) {
    if (Object.keys(status).length === 0) {
      if (!shown.has(id)) continue;
      shown.delete(id);
    } else shown.add(id);
    out.push({ id, status });
  }
  return out;
}

/**
 * What is compared, per example:
 * - every message a debug node sent to the sidebar (node, topic, property, format, value);
 * - status shown by debug nodes (their "node status" output) and by function nodes (the
 *   "Showing status information" example has no other output); other nodes' status depends on
 *   timing (delay queue sizes, exec pids) and is left out;
 * - warnings and errors logged by any node (the sidebar shows them), and lines a debug node set
 *   to "system console" writes. The same warnings also arrive as `debug` comms messages with a
 *   `level`; those copies are dropped so each counts once.
 */
export function observe(entries: RawEntry[], nodes: ReadonlyMap<string, NodeInfo>, sandboxDir: string): Observation[] {
  const out: Observation[] = [];
  for (const e of entries) {
    if (e.channel === 'debug') {
      if (e.data.level !== undefined) continue;
      const format = str(e.data.format);
      const line = JSON.stringify({
        debug: str(e.data.id),
        topic: normaliseText(str(e.data.topic), sandboxDir),
        property: str(e.data.property),
        format,
        msg: normaliseDebugMsg(e.data.msg, format, sandboxDir),
      });
      out.push({ line, shape: `debug ${str(e.data.id)} ${str(e.data.property)} ${format.replace(/\[\d+\]$/, '')}` });
    } else if (e.channel === 'log') {
      const id = str(e.data.id);
      const level = str(e.data.level);
      const info = nodes.get(id);
      if (level === 'info' && !(info?.type === 'debug' && info.console)) continue;
      const line = JSON.stringify({ log: level, node: id, type: str(e.data.type), msg: normaliseText(str(e.data.msg), sandboxDir) });
      out.push({ line, shape: `log ${level} ${id}` });
    }
  }
  for (const { id, status } of visibleStatuses(entries)) {
    const type = nodes.get(id)?.type;
    if (type !== 'debug' && type !== 'function') continue;
    const text = status.text === undefined ? undefined : normaliseText(status.text, sandboxDir);
    out.push({ line: JSON.stringify({ status: id, ...status, ...(text === undefined ? {} : { text }) }), shape: `status ${id}` });
  }
  return out;
}

/** The nodes of a flow by id, for observe(). */
export function nodeInfo(flows: ReadonlyArray<Record<string, unknown>>): Map<string, NodeInfo> {
  const map = new Map<string, NodeInfo>();
  for (const n of flows) map.set(String(n.id), { type: String(n.type), console: n.console === true || n.console === 'true' });
  return map;
}

export interface Difference {
  /** Lines Node-RED showed that Redoubt did not (with multiplicity). */
  missing: string[];
  /** Lines Redoubt showed that Node-RED did not. */
  unexpected: string[];
}

/** Multiset difference of two lists of lines. */
export function difference(expected: readonly string[], actual: readonly string[]): Difference {
  const left = new Map<string, number>();
  for (const l of actual) left.set(l, (left.get(l) ?? 0) + 1);
  const missing: string[] = [];
  for (const l of expected) {
    const n = left.get(l) ?? 0;
    if (n > 0) left.set(l, n - 1);
    else missing.push(l);
  }
  const unexpected: string[] = [];
  for (const [l, n] of left) for (let i = 0; i < n; i++) unexpected.push(l);
  return { missing, unexpected };
}
