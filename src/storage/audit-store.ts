/**
 * The audit log's table in `redoubt.db`. Append-only: this file inserts and reads, nothing else,
 * and triggers refuse changes and removals made through SQL. The hash chain that makes tampering
 * visible (for someone who drops the triggers or edits the file) lives in `security/audit-log.ts`.
 */
import type { Db } from './database.js';

/** One stored record; `details` is the JSON text as written. */
export interface AuditRow {
  seq: number;
  at: number;
  event: string;
  username: string | null;
  address: string | null;
  details: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  afterSeq?: number;
  beforeSeq?: number;
  limit?: number;
  /** Exact event name, or a prefix ending in `*` (`auth.*`). */
  event?: string;
  /** Oldest first by default. */
  order?: 'asc' | 'desc';
}

export interface AuditStore {
  /** Runs `build` with the last record inside one write transaction and inserts what it returns. */
  append(build: (last: { seq: number; hash: string } | undefined) => AuditRow): AuditRow;
  last(): { seq: number; hash: string } | undefined;
  list(query?: AuditQuery): AuditRow[];
  /** Every record, oldest first, without loading them all at once. */
  iterate(): IterableIterator<AuditRow>;
  get(seq: number): AuditRow | undefined;
  count(): number;
}

const COLUMNS = 'seq, at, event, username, address, details, prev_hash AS prevHash, hash';

/**
 * @example
 * const store = createAuditStore(openDatabase(join(userDir, 'redoubt.db')));
 */
export function createAuditStore(db: Db): AuditStore {
  db.exec(`
    CREATE TABLE IF NOT EXISTS audit_log (
      seq INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      event TEXT NOT NULL,
      username TEXT,
      address TEXT,
      details TEXT,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE TRIGGER IF NOT EXISTS audit_log_append_only_u BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER IF NOT EXISTS audit_log_append_only_d BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `);
  const insert = db.prepare(
    'INSERT INTO audit_log (seq, at, event, username, address, details, prev_hash, hash) VALUES (@seq, @at, @event, @username, @address, @details, @prevHash, @hash)',
  );
  const lastStmt = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const getStmt = db.prepare(`SELECT ${COLUMNS} FROM audit_log WHERE seq = ?`);
  const allStmt = db.prepare(`SELECT ${COLUMNS} FROM audit_log ORDER BY seq ASC`);
  const countStmt = db.prepare('SELECT COUNT(*) AS n FROM audit_log');

  const last = () => lastStmt.get() as { seq: number; hash: string } | undefined;
  const appendTx = db.transaction((build: (l: { seq: number; hash: string } | undefined) => AuditRow) => {
    const row = build(last());
    insert.run(row);
    return row;
  });

  return {
    // IMMEDIATE: a second process (the CLI next to the server) cannot read the same last record and fork the chain.
    append: (build) => appendTx.immediate(build),
    last,
    list(query = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.afterSeq !== undefined) {
        where.push('seq > ?');
        params.push(query.afterSeq);
      }
      if (query.beforeSeq !== undefined) {
        where.push('seq < ?');
        params.push(query.beforeSeq);
      }
      if (query.event !== undefined && query.event !== '') {
        if (query.event.endsWith('*')) {
          const prefix = query.event.slice(0, -1);
          where.push('substr(event, 1, ?) = ?');
          params.push(prefix.length, prefix);
        } else {
          where.push('event = ?');
          params.push(query.event);
        }
      }
      const order = query.order === 'desc' ? 'DESC' : 'ASC';
      const limit = Math.max(0, Math.min(query.limit ?? 1000, 100_000));
      const sql = `SELECT ${COLUMNS} FROM audit_log${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY seq ${order} LIMIT ${limit}`;
      return db.prepare(sql).all(...params) as AuditRow[];
    },
    iterate: () => allStmt.iterate() as IterableIterator<AuditRow>,
    get: (seq) => getStmt.get(seq) as AuditRow | undefined,
    count: () => (countStmt.get() as { n: number }).n,
  };
}
