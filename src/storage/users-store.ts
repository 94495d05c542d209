/**
 * Users in `redoubt.db`. Names are unique without regard to ASCII case ("Admin" and "admin" are
 * one account), so a look-alike account cannot be created beside an existing one.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors/index.js';
import { ROLES, type Role, type User, type UserStore } from '../security/types.js';
import type { Db } from './database.js';
import { updateColumns } from './update-columns.js';

interface UserRow {
  username: string;
  role: string;
  password_hash: string;
  created_at: number;
  password_changed_at: number;
  disabled: number;
}

function toUser(row: UserRow): User {
  const user: User = {
    username: row.username,
    role: row.role as Role,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    passwordChangedAt: row.password_changed_at,
  };
  if (row.disabled) user.disabled = true;
  return user;
}

function checkRole(role: unknown): void {
  if (!(ROLES as readonly unknown[]).includes(role)) {
    throw new ValidationError('Invalid user', [
      { code: 'invalid_role', property: 'role', message: `must be one of ${ROLES.join(', ')}` },
    ]);
  }
}

/**
 * Builds the store on an open database, creating its table if needed.
 * @example
 * const users = createUserStore(openDatabase(':memory:'));
 * users.create({ username: 'ann', role: 'admin', passwordHash, createdAt: 0, passwordChangedAt: 0 });
 */
export function createUserStore(db: Db): UserStore {
  const roleList = ROLES.map((r) => `'${r}'`).join(', ');
  db.exec(`CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN (${roleList})),
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
  )`);
  const selectOne = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const selectAll = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username COLLATE NOCASE');
  const insert = db.prepare(
    `INSERT INTO users (username, role, password_hash, created_at, password_changed_at, disabled)
     VALUES (@username, @role, @passwordHash, @createdAt, @passwordChangedAt, @disabled)`,
  );
  const deleteOne = db.prepare<[string]>('DELETE FROM users WHERE username = ?');
  const countAll = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users');
  const columns = { role: 'role', passwordHash: 'password_hash', passwordChangedAt: 'password_changed_at', disabled: 'disabled' } as const;

  return {
    get(username) {
      const row = selectOne.get(username);
      return row ? toUser(row) : undefined;
    },
    list() {
      return selectAll.all().map(toUser);
    },
    create(user) {
      checkRole(user.role);
      if (selectOne.get(user.username)) {
        throw new ConflictError('user_exists', `user '${user.username}' already exists`);
      }
      insert.run({
        username: user.username,
        role: user.role,
        passwordHash: user.passwordHash,
        createdAt: user.createdAt,
        passwordChangedAt: user.passwordChangedAt,
        disabled: user.disabled ? 1 : 0,
      });
    },
    update(username, patch) {
      if (patch.role !== undefined) checkRole(patch.role);
      if (!selectOne.get(username)) throw new NotFoundError('user', username);
      updateColumns(db, { table: 'users', username, columns, patch, encode: (field, value) => (field === 'disabled' ? (value ? 1 : 0) : value) });
    },
    remove(username) {
      return deleteOne.run(username).changes > 0;
    },
    count() {
      return countAll.get()?.n ?? 0;
    },
  };
}
