import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Session } from '../security/types.js';
import { openDatabase } from './database.js';
import { createSessionStore } from './sessions-store.js';

function session(tokenHash: string, username: string, expiresAt = 10_000): Session {
  return { tokenHash, username, role: 'editor', createdAt: 1000, lastSeenAt: 1000, expiresAt };
}

describe('createSessionStore', () => {
  it('stores and reads a session by token hash, with optional address and client', () => {
    const store = createSessionStore(openDatabase(':memory:'));
    store.insert(session('h1', 'ann'));
    store.insert({ ...session('h2', 'ann'), address: '10.0.0.7', client: 'node-red-admin' });
    assert.deepEqual(store.get('h1'), session('h1', 'ann'));
    assert.deepEqual(store.get('h2'), { ...session('h2', 'ann'), address: '10.0.0.7', client: 'node-red-admin' });
    assert.equal(store.get('h3'), undefined);
  });

  it('touches last-seen time only', () => {
    const store = createSessionStore(openDatabase(':memory:'));
    store.insert(session('h1', 'ann'));
    store.touch('h1', 5000);
    assert.deepEqual(store.get('h1'), { ...session('h1', 'ann'), lastSeenAt: 5000 });
  });

  it('deletes one session, all of a user, and the expired ones', () => {
    const store = createSessionStore(openDatabase(':memory:'));
    store.insert(session('a1', 'ann'));
    store.insert(session('a2', 'Ann'));
    store.insert(session('b1', 'bob', 3000));
    store.insert(session('b2', 'bob', 9000));
    assert.equal(store.delete('a1'), true);
    assert.equal(store.delete('a1'), false);
    assert.equal(store.deleteForUser('ANN'), 1);
    assert.equal(store.deleteExpired(3000), 1);
    assert.equal(store.get('b1'), undefined);
    assert.ok(store.get('b2'));
  });
});
