/**
 * `redoubt.db`: one SQLite file (better-sqlite3) for users, sessions, the audit log, flow history
 * and other small records. Each store creates its own tables (`CREATE TABLE IF NOT EXISTS`) when
 * it is built, so a store is one file with its schema beside its queries.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/** Opens (creating if needed) the database at `path`; ':memory:' for tests. */
export function openDatabase(path: string): Db {
  // Owner-only when it is made here (`redoubt user add` on a new directory): it holds password hashes.
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  // WAL: readers never block the writer, and a crash mid-write leaves the last commit intact.
  if (path !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db;
}
