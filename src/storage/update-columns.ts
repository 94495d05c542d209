/**
 * The partial update of one account's row that the users and second-factor stores share: the
 * fields a patch sets, mapped to their columns, in one UPDATE.
 */
import type { Db } from './database.js';

export interface ColumnUpdate<K extends string> {
  /** A table of this package (never user input: it is written into the SQL). */
  table: string;
  username: string;
  /** Field of the patch → its column. */
  columns: Readonly<Record<K, string>>;
  patch: Partial<Record<K, unknown>>;
  /** What SQLite stores for a field's value (booleans as 0/1, lists as JSON); default as it is. */
  encode?: (field: K, value: unknown) => unknown;
}

/**
 * Writes the fields of `patch` that are not undefined to the row of `username`; runs nothing
 * when there are none. The caller checks that the row exists.
 *
 * @example
 * updateColumns(db, { table: 'users', username: 'ann', columns: { role: 'role' }, patch: { role: 'viewer' } });
 */
export function updateColumns<K extends string>(db: Db, update: ColumnUpdate<K>): void {
  const sets: string[] = [];
  const values: Record<string, unknown> = { username: update.username };
  for (const field of Object.keys(update.columns) as K[]) {
    const value = update.patch[field];
    if (value === undefined) continue;
    sets.push(`${update.columns[field]} = @${field}`);
    values[field] = update.encode ? update.encode(field, value) : value;
  }
  if (sets.length === 0) return;
  db.prepare(`UPDATE ${update.table} SET ${sets.join(', ')} WHERE username = @username`).run(values);
}
