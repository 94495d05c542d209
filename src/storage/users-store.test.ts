import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConflictError, NotFoundError, ValidationError } from '../errors/index.js';
import type { Role, User } from '../security/types.js';
import { openDatabase } from './database.js';
import { createUserStore } from './users-store.js';

function user(username: string, role: Role = 'viewer'): User {
  return { username, role, passwordHash: `scrypt$hash-of-${username}`, createdAt: 1000, passwordChangedAt: 1000 };
}

describe('createUserStore', () => {
  it('creates, reads, lists and counts users', () => {
    const users = createUserStore(openDatabase(':memory:'));
    assert.equal(users.count(), 0);
    users.create(user('bob', 'editor'));
    users.create(user('ann', 'admin'));
    assert.deepEqual(users.get('ann'), user('ann', 'admin'));
    assert.deepEqual(users.list().map((u) => u.username), ['ann', 'bob']);
    assert.equal(users.count(), 2);
    assert.equal(users.get('nobody'), undefined);
  });

  it('treats names that differ only in case as the same account', () => {
    const users = createUserStore(openDatabase(':memory:'));
    users.create(user('Ann'));
    assert.equal(users.get('ann')?.username, 'Ann');
    assert.throws(() => users.create(user('ANN')), (e: unknown) => e instanceof ConflictError && e.code === 'user_exists');
    assert.equal(users.count(), 1);
  });

  it('updates role, hash, change time and the disabled flag, leaving the rest', () => {
    const users = createUserStore(openDatabase(':memory:'));
    users.create(user('ann'));
    users.update('ann', { role: 'operator', passwordHash: 'scrypt$new', passwordChangedAt: 2000, disabled: true });
    assert.deepEqual(users.get('ann'), { ...user('ann', 'operator'), passwordHash: 'scrypt$new', passwordChangedAt: 2000, disabled: true });
    users.update('ann', { disabled: false });
    assert.equal(users.get('ann')?.disabled, undefined);
  });

  it('refuses an update of a missing user and an unknown role', () => {
    const users = createUserStore(openDatabase(':memory:'));
    users.create(user('ann'));
    assert.throws(() => users.update('nobody', { role: 'admin' }), NotFoundError);
    assert.throws(() => users.update('ann', { role: 'root' as Role }), ValidationError);
    assert.throws(() => users.create(user('eve', 'root' as Role)), ValidationError);
    assert.equal(users.get('ann')?.role, 'viewer');
    assert.equal(users.get('eve'), undefined);
  });

  it('removes a user and says whether there was one', () => {
    const users = createUserStore(openDatabase(':memory:'));
    users.create(user('ann'));
    assert.equal(users.remove('ann'), true);
    assert.equal(users.remove('ann'), false);
    assert.equal(users.count(), 0);
  });

  it('keeps users across reopening the database file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redoubt-users-'));
    try {
      const path = join(dir, 'redoubt.db');
      const db = openDatabase(path);
      createUserStore(db).create(user('ann', 'admin'));
      db.close();
      const again = openDatabase(path);
      assert.equal(createUserStore(again).get('ann')?.role, 'admin');
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
