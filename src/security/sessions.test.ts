import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { createSessionStore, openDatabase } from '../storage/index.js';
import { createSessionManager, hashSessionToken } from './sessions.js';
import type { SessionStore } from './types.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function setup(options = {}) {
  const clock = fakeClock();
  const db = openDatabase(':memory:');
  const store = createSessionStore(db);
  const sessions = createSessionManager(options, { store, clock });
  return { clock, db, store, sessions };
}

describe('createSessionManager', () => {
  it('issues a 32-byte base64url token and stores only its SHA-256', () => {
    const { sessions, db } = setup();
    const { token, session } = sessions.create({ username: 'ann', role: 'editor' }, { address: '127.0.0.1', client: 'node-red-admin' });
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.equal(session.tokenHash, createHash('sha256').update(token).digest('hex'));
    const dump = JSON.stringify(db.prepare('SELECT * FROM sessions').all());
    assert.ok(!dump.includes(token));
    assert.ok(dump.includes(hashSessionToken(token)));
    assert.equal(sessions.verify(token)?.username, 'ann');
    assert.equal(sessions.verify(token)?.address, '127.0.0.1');
  });

  it('issues a different token each time', () => {
    const { sessions } = setup();
    const a = sessions.create({ username: 'ann', role: 'viewer' }).token;
    const b = sessions.create({ username: 'ann', role: 'viewer' }).token;
    assert.notEqual(a, b);
  });

  it('refuses unknown, malformed and tampered tokens', () => {
    const { sessions } = setup();
    const { token } = sessions.create({ username: 'ann', role: 'viewer' });
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    for (const bad of [flipped, '', 'x', token + 'A', token.slice(1), hashSessionToken(token), undefined as unknown as string]) {
      assert.equal(sessions.verify(bad), undefined, String(bad));
    }
  });

  it('expires a session 7 days after login even when used all along', () => {
    const { sessions, clock, store } = setup();
    const { token, session } = sessions.create({ username: 'ann', role: 'viewer' });
    assert.equal(session.expiresAt - session.createdAt, 7 * DAY);
    for (let i = 0; i < 7 * 4 - 1; i++) {
      clock.advance(6 * HOUR);
      assert.ok(sessions.verify(token), `still live after ${(i + 1) * 6} h`);
    }
    clock.advance(6 * HOUR);
    assert.equal(sessions.verify(token), undefined);
    assert.equal(store.get(session.tokenHash), undefined);
  });

  it('ends a session idle for 8 hours', () => {
    const { sessions, clock } = setup();
    const { token } = sessions.create({ username: 'ann', role: 'viewer' });
    clock.advance(8 * HOUR - 1);
    assert.ok(sessions.verify(token));
    clock.advance(8 * HOUR - 1);
    assert.ok(sessions.verify(token), 'use refreshed the idle timer');
    clock.advance(8 * HOUR);
    assert.equal(sessions.verify(token), undefined);
  });

  it('writes last-seen time at most once per touch interval', () => {
    const { clock } = setup();
    const touches: number[] = [];
    const inner = createSessionStore(openDatabase(':memory:'));
    const store: SessionStore = { ...inner, touch: (h, t) => { touches.push(t); inner.touch(h, t); } };
    const sessions = createSessionManager({ touchIntervalMs: 60_000 }, { store, clock });
    const { token } = sessions.create({ username: 'ann', role: 'viewer' });
    for (let i = 0; i < 10; i++) {
      clock.advance(10_000);
      sessions.verify(token);
    }
    assert.equal(touches.length, 1);
  });

  it('revokes one token on logout, leaving the user\'s other sessions', () => {
    const { sessions } = setup();
    const a = sessions.create({ username: 'ann', role: 'viewer' }).token;
    const b = sessions.create({ username: 'ann', role: 'viewer' }).token;
    assert.equal(sessions.revoke(a), true);
    assert.equal(sessions.revoke(a), false);
    assert.equal(sessions.verify(a), undefined);
    assert.ok(sessions.verify(b));
  });

  it('revokes every session of one user and no one else\'s', () => {
    const { sessions } = setup();
    const a1 = sessions.create({ username: 'ann', role: 'viewer' }).token;
    const a2 = sessions.create({ username: 'ann', role: 'viewer' }).token;
    const b = sessions.create({ username: 'bob', role: 'viewer' }).token;
    assert.equal(sessions.revokeAllFor('ann'), 2);
    assert.equal(sessions.verify(a1), undefined);
    assert.equal(sessions.verify(a2), undefined);
    assert.ok(sessions.verify(b));
  });

  it('drops expired sessions from the store when new ones are created', () => {
    const { sessions, clock, db } = setup({ absoluteTtlMs: HOUR, idleTimeoutMs: HOUR });
    sessions.create({ username: 'ann', role: 'viewer' });
    clock.advance(HOUR);
    sessions.create({ username: 'bob', role: 'viewer' });
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n, 1);
  });

  it('refuses bad expiry settings, naming them', () => {
    const deps = { store: createSessionStore(openDatabase(':memory:')), clock: fakeClock() };
    assert.throws(() => createSessionManager({ absoluteTtlMs: 0 }, deps), (e: unknown) => e instanceof ConfigError && e.message.includes('security.sessions.expiry'));
    assert.throws(() => createSessionManager({ absoluteTtlMs: HOUR, idleTimeoutMs: 2 * HOUR }, deps), (e: unknown) => e instanceof ConfigError && e.message.includes('idleTimeout'));
    assert.throws(() => createSessionManager({ touchIntervalMs: 9 * HOUR }, deps), ConfigError);
  });
});
