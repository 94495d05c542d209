/**
 * Sessions in `redoubt.db`, keyed by the SHA-256 of their token: a copy of the database gives no
 * usable token. Kept in SQLite (not memory) so that `redoubt user passwd` in another process
 * revokes the sessions the server is honouring.
 */
import type { Role, Session, SessionStore } from '../security/types.js';
import type { Db } from './database.js';

interface SessionRow {
  token_hash: string;
  username: string;
  role: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  address: string | null;
  client: string | null;
}

function toSession(row: SessionRow): Session {
  const session: Session = {
    tokenHash: row.token_hash,
    username: row.username,
    role: row.role as Role,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
  if (row.address !== null) session.address = row.address;
  if (row.client !== null) session.client = row.client;
  return session;
}

/**
 * Builds the store on an open database, creating its table if needed.
 * @example
 * const sessions = createSessionStore(openDatabase(':memory:'));
 */
export function createSessionStore(db: Db): SessionStore {
  db.exec(`CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    address TEXT,
    client TEXT
  );
  CREATE INDEX IF NOT EXISTS sessions_username ON sessions (username);
  CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at);`);
  const insert = db.prepare(
    `INSERT INTO sessions (token_hash, username, role, created_at, last_seen_at, expires_at, address, client)
     VALUES (@tokenHash, @username, @role, @createdAt, @lastSeenAt, @expiresAt, @address, @client)`,
  );
  const selectOne = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE token_hash = ?');
  const touch = db.prepare<[number, string]>('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?');
  const deleteOne = db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?');
  const deleteForUser = db.prepare<[string]>('DELETE FROM sessions WHERE username = ?');
  const deleteExpired = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?');

  return {
    insert(session) {
      insert.run({ ...session, address: session.address ?? null, client: session.client ?? null });
    },
    get(tokenHash) {
      const row = selectOne.get(tokenHash);
      return row ? toSession(row) : undefined;
    },
    touch(tokenHash, lastSeenAt) {
      touch.run(lastSeenAt, tokenHash);
    },
    delete(tokenHash) {
      return deleteOne.run(tokenHash).changes > 0;
    },
    deleteForUser(username) {
      return deleteForUser.run(username).changes;
    },
    deleteExpired(now) {
      return deleteExpired.run(now).changes;
    },
  };
}
