/**
 * Second factors in `redoubt.db`: one row per account, holding the TOTP secret only as sealed by
 * `security/second-factor.ts` (this store never sees it in the clear) and the recovery codes'
 * hashes. A row goes with its user (foreign key, ON DELETE CASCADE), so an account re-created
 * under the same name does not inherit a factor its new owner never enrolled.
 */
import { NotFoundError } from '../errors/index.js';
import type { SecondFactorRecord, SecondFactorStore } from '../security/second-factor.js';
import type { Db } from './database.js';
import { updateColumns } from './update-columns.js';

interface Row {
  username: string;
  sealed_secret: string;
  confirmed: number;
  last_step: number | null;
  recovery: string;
  created_at: number;
  confirmed_at: number | null;
}

function toRecord(row: Row): SecondFactorRecord {
  const record: SecondFactorRecord = {
    username: row.username,
    sealedSecret: row.sealed_secret,
    confirmed: row.confirmed === 1,
    recoveryHashes: JSON.parse(row.recovery) as string[],
    createdAt: row.created_at,
  };
  if (row.last_step !== null) record.lastStep = row.last_step;
  if (row.confirmed_at !== null) record.confirmedAt = row.confirmed_at;
  return record;
}

/**
 * @example
 * const db = openDatabase(join(userDir, 'redoubt.db'));
 * createUserStore(db); // the users table must exist first
 * const factors = createSecondFactorStore(db);
 */
export function createSecondFactorStore(db: Db): SecondFactorStore {
  db.exec(`CREATE TABLE IF NOT EXISTS second_factors (
    username TEXT PRIMARY KEY COLLATE NOCASE REFERENCES users(username) ON DELETE CASCADE,
    sealed_secret TEXT NOT NULL CHECK (sealed_secret LIKE 'v1.%'),
    confirmed INTEGER NOT NULL DEFAULT 0,
    last_step INTEGER,
    recovery TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    confirmed_at INTEGER
  )`);
  const selectOne = db.prepare<[string], Row>('SELECT * FROM second_factors WHERE username = ?');
  const selectAll = db.prepare<[], Row>('SELECT * FROM second_factors ORDER BY username COLLATE NOCASE');
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO second_factors (username, sealed_secret, confirmed, last_step, recovery, created_at, confirmed_at)
     VALUES (@username, @sealedSecret, @confirmed, @lastStep, @recovery, @createdAt, @confirmedAt)`,
  );
  const deleteOne = db.prepare<[string]>('DELETE FROM second_factors WHERE username = ?');
  const columns = { confirmed: 'confirmed', lastStep: 'last_step', recoveryHashes: 'recovery', confirmedAt: 'confirmed_at' } as const;
  const encodeColumn = (field: keyof typeof columns, value: unknown): unknown =>
    field === 'confirmed' ? (value ? 1 : 0) : field === 'recoveryHashes' ? JSON.stringify(value) : value;

  return {
    get(username) {
      const row = selectOne.get(username);
      return row ? toRecord(row) : undefined;
    },
    list() {
      return selectAll.all().map(toRecord);
    },
    put(record) {
      upsert.run({
        username: record.username,
        sealedSecret: record.sealedSecret,
        confirmed: record.confirmed ? 1 : 0,
        lastStep: record.lastStep ?? null,
        recovery: JSON.stringify(record.recoveryHashes),
        createdAt: record.createdAt,
        confirmedAt: record.confirmedAt ?? null,
      });
    },
    update(username, patch) {
      if (!selectOne.get(username)) throw new NotFoundError('second factor', username);
      updateColumns(db, { table: 'second_factors', username, columns, patch, encode: encodeColumn });
    },
    remove(username) {
      return deleteOne.run(username).changes > 0;
    },
  };
}
