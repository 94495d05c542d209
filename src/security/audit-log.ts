/**
 * The audit log: who did what, when, from where. Each record carries the SHA-256 of a canonical
 * serialisation of its fields and of the previous record's hash, so editing, removing or
 * reordering a stored record breaks the chain and `verify()` names the first record affected.
 * Removing records from the end cannot be seen from the chain alone: `head()` is exported into
 * backups and can be checked later with `verify({ head })`.
 */
import { createHash } from 'node:crypto';
import { RedoubtError } from '../errors/index.js';
import type { AuditRow, AuditStore } from '../storage/audit-store.js';
import type { AuditEvent, AuditLog, AuditRecord, Clock } from './types.js';

/** The previous hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Keys whose values are secrets whatever they hold; stripped from details before storing. */
const SECRET_KEY = /pass(word|wd|phrase)?$|^pwd$|token|secret|credential|api[-_]?key|authori[sz]ation|cookie|private[-_]?key|^cred(s)?$/i;
const MAX_DEPTH = 8;

export interface AuditLogOptions {
  store: AuditStore;
}

export interface AuditLogDeps {
  clock: Clock;
}

export type AuditVerifyResult = ReturnType<AuditLog['verify']>;

/**
 * @example
 * const audit = createAuditLog({ store: createAuditStore(db) }, { clock: { now: Date.now } });
 * audit.record({ event: 'auth.login', username: 'ada', address: '127.0.0.1' });
 * audit.verify(); // { ok: true, count: 1 }
 */
export function createAuditLog(options: AuditLogOptions, deps: AuditLogDeps): AuditLog {
  const { store } = options;
  const { clock } = deps;
  return {
    record(event) {
      if (typeof event.event !== 'string' || event.event === '') {
        throw new RedoubtError('invalid_audit_event', 'an audit record needs an event name');
      }
      const details = event.details === undefined ? undefined : redactDetails(event.details);
      const row = store.append((last) => {
        const base = {
          seq: (last?.seq ?? 0) + 1,
          at: Math.floor(clock.now()),
          event: event.event,
          username: event.username ?? null,
          address: event.address ?? null,
          details: details === undefined ? null : canonicalJson(details),
          prevHash: last?.hash ?? GENESIS_HASH,
        };
        return { ...base, hash: hashRecord(base) };
      });
      return toRecord(row);
    },
    list: (query = {}) => store.list(query).map(toRecord),
    head() {
      const last = store.last();
      return last ?? { seq: 0, hash: GENESIS_HASH };
    },
    verify(verifyOptions = {}) {
      return verifyChain(store, verifyOptions.head);
    },
  };
}

function verifyChain(store: AuditStore, head: { seq: number; hash: string } | undefined): AuditVerifyResult {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  for (const row of store.iterate()) {
    if (row.seq !== expectedSeq) {
      const missing = row.seq - expectedSeq === 1 ? `record ${expectedSeq} was removed` : `records ${expectedSeq} to ${row.seq - 1} were removed`;
      return { ok: false, seq: expectedSeq, problem: `${missing} (the next record is ${row.seq})` };
    }
    const computed = hashOfRow(row);
    if (computed !== row.hash) {
      const writtenAs = findWrittenSeq(row, store.count());
      const problem =
        writtenAs !== undefined
          ? `record ${row.seq} is out of order: it was written as record ${writtenAs}`
          : `record ${row.seq} was edited: its contents do not match its hash`;
      return { ok: false, seq: row.seq, problem };
    }
    if (row.prevHash !== prevHash) {
      return { ok: false, seq: row.seq, problem: `record ${row.seq} does not follow record ${row.seq - 1}: a record was removed, replaced or reordered before it` };
    }
    prevHash = row.hash;
    expectedSeq++;
    count++;
  }
  if (head && head.seq > 0) {
    if (head.seq > count) {
      return { ok: false, seq: count + 1, problem: `records ${count + 1} to ${head.seq} were removed from the end (the exported head is record ${head.seq})` };
    }
    const atHead = store.get(head.seq);
    if (!atHead || atHead.hash !== head.hash) {
      return { ok: false, seq: head.seq, problem: `record ${head.seq} differs from the exported head: the log was rewritten` };
    }
  }
  return { ok: true, count };
}

/** A record whose hash matches its fields under another seq was moved; finds that seq. */
function findWrittenSeq(row: AuditRow, total: number): number | undefined {
  // Nearest seqs first: swaps are usually local. Runs only for the first bad record.
  for (let distance = 1; distance <= total; distance++) {
    for (const seq of [row.seq - distance, row.seq + distance]) {
      if (seq >= 1 && hashOfRow({ ...row, seq }) === row.hash) return seq;
    }
  }
  return undefined;
}

function hashOfRow(row: AuditRow): string {
  let details: string | null = null;
  if (row.details !== null) {
    try {
      details = canonicalJson(JSON.parse(row.details));
    } catch (err) {
      // Details that are no longer JSON were edited; hashing the raw text makes that visible as a mismatch.
      details = `invalid:${row.details}:${(err as Error).name}`;
    }
  }
  return hashRecord({ ...row, details });
}

function hashRecord(fields: Omit<AuditRow, 'hash'>): string {
  const text = JSON.stringify([fields.seq, fields.at, fields.event, fields.username, fields.address, fields.details, fields.prevHash]);
  return createHash('sha256').update(text).digest('hex');
}

function toRecord(row: AuditRow): AuditRecord {
  const record: AuditRecord = { seq: row.seq, at: row.at, event: row.event, prevHash: row.prevHash, hash: row.hash };
  if (row.username !== null) record.username = row.username;
  if (row.address !== null) record.address = row.address;
  if (row.details !== null) record.details = JSON.parse(row.details) as Record<string, unknown>;
  return record;
}

/**
 * A copy of `details` that is plain JSON and holds no secrets: keys named like a password,
 * token, secret or credential are dropped at any depth, as are functions and undefined values.
 */
export function redactDetails(details: Record<string, unknown>): Record<string, unknown> {
  const clean = redactValue(details, 0);
  return clean !== null && typeof clean === 'object' && !Array.isArray(clean) ? (clean as Record<string, unknown>) : {};
}

function redactValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return undefined;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1) ?? null);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_KEY.test(key)) continue;
    const clean = redactValue(v, depth + 1);
    if (clean !== undefined) out[key] = clean;
  }
  return out;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}
