import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { AuthError, ConfigError, ConflictError, NotFoundError, ValidationError } from '../errors/index.js';
import { createSessionStore, createUserStore, openDatabase } from '../storage/index.js';
import { createAuthService } from './auth-service.js';
import { createLoginLimiter } from './login-limiter.js';
import { createPasswordPolicy } from './password-policy.js';
import { createPasswordHasher } from './passwords.js';
import { createSessionManager } from './sessions.js';
import { createSetupToken } from './setup-token.js';
import type { AuditEvent, AuditLog, AuditRecord, PasswordHasher } from './types.js';

const ANN_PASSWORD = 'violet-tractor-sings-42';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** Keeps records in memory; the real chained log lives in audit-log.ts. */
function memoryAudit(): Pick<AuditLog, 'record'> & { events: AuditRecord[] } {
  const events: AuditRecord[] = [];
  return {
    events,
    record(event: AuditEvent) {
      const record: AuditRecord = { ...event, seq: events.length + 1, at: 0, prevHash: '', hash: '' };
      events.push(record);
      return record;
    },
  };
}

/** The real hasher, counting calls and remembering which hashes were verified against. */
function spyHasher(inner: PasswordHasher) {
  const verified: string[] = [];
  let hashes = 0;
  return {
    verified,
    hashes: () => hashes,
    hasher: {
      async hash(password: string) {
        hashes += 1;
        return inner.hash(password);
      },
      async verify(password: string, hash: string) {
        verified.push(hash);
        return inner.verify(password, hash);
      },
    } satisfies PasswordHasher,
  };
}

async function setup() {
  const clock = fakeClock();
  const db = openDatabase(':memory:');
  const users = createUserStore(db);
  const sessions = createSessionManager({}, { store: createSessionStore(db), clock });
  const spy = spyHasher(createPasswordHasher());
  const audit = memoryAudit();
  const setupToken = createSetupToken({}, { users, clock });
  const auth = createAuthService({
    users,
    sessions,
    hasher: spy.hasher,
    policy: createPasswordPolicy(),
    limiter: createLoginLimiter({}, { clock }),
    audit,
    clock,
    setupToken,
  });
  return { clock, db, users, sessions, spy, audit, auth, setupToken };
}

async function withAnn() {
  const s = await setup();
  await s.auth.createUser({ username: 'ann', password: ANN_PASSWORD, role: 'admin', by: 'test' });
  s.audit.events.length = 0;
  return s;
}

describe('createAuthService: login', () => {
  it('logs in with the right password: a token, Node-RED\'s 7-day expires_in, the role, an audit record', async () => {
    const { auth, audit } = await withAnn();
    const result = await auth.login({ username: 'ann', password: ANN_PASSWORD, address: '127.0.0.1', client: 'node-red-admin' });
    assert.equal(result.ok, true);
    assert.ok(result.ok);
    assert.equal(result.expiresIn, 7 * 24 * 3600);
    assert.deepEqual(result.user, { username: 'ann', role: 'admin' });
    assert.equal(auth.authenticate(result.token)?.username, 'ann');
    assert.deepEqual(audit.events.map((e) => [e.event, e.username, e.address]), [['auth.login', 'ann', '127.0.0.1']]);
    assert.ok(!JSON.stringify(audit.events).includes(result.token));
  });

  it('answers an unknown user exactly as a wrong password, after verifying a hash in both cases', async () => {
    const { auth, spy, audit, users } = await withAnn();
    const wrong = await auth.login({ username: 'ann', password: 'not-the-password', address: '10.0.0.1' });
    const unknown = await auth.login({ username: 'nobody', password: 'not-the-password', address: '10.0.0.2' });
    assert.deepEqual(wrong, { ok: false, reason: 'invalid_credentials' });
    assert.deepEqual(unknown, wrong);
    assert.equal(spy.verified.length, 2, 'the hasher ran for both');
    assert.equal(spy.verified[0], users.get('ann')?.passwordHash);
    assert.match(spy.verified[1] as string, /^scrypt\$32768\$8\$1\$/, 'a dummy of the same cost');
    assert.deepEqual(audit.events.map((e) => [e.event, e.username]), [
      ['auth.login.failed', 'ann'],
      ['auth.login.failed', 'nobody'],
    ]);
  });

  it('refuses a disabled user as a wrong password', async () => {
    const { auth, users } = await withAnn();
    await auth.createUser({ username: 'bob', password: 'orchid-lantern-rivers', role: 'viewer', by: 'ann' });
    users.update('bob', { disabled: true });
    assert.deepEqual(await auth.login({ username: 'bob', password: 'orchid-lantern-rivers', address: '10.0.0.1' }), { ok: false, reason: 'invalid_credentials' });
  });

  it('refuses non-string input without throwing', async () => {
    const { auth } = await withAnn();
    const result = await auth.login({ username: 42 as unknown as string, password: { $ne: 1 } as unknown as string, address: '10.0.0.1' });
    assert.deepEqual(result, { ok: false, reason: 'invalid_credentials' });
  });

  it('meets fifty wrong passwords with a lock, verifies only the allowed ones, and lets the owner in from elsewhere', async () => {
    const { auth, spy, audit } = await withAnn();
    const reasons: string[] = [];
    for (let i = 0; i < 50; i++) {
      const result = await auth.login({ username: 'ann', password: `guess-number-${i}`, address: '203.0.113.9' });
      assert.equal(result.ok, false);
      if (!result.ok) reasons.push(result.reason);
    }
    assert.deepEqual(reasons.slice(0, 6), Array(6).fill('invalid_credentials'));
    assert.deepEqual(new Set(reasons.slice(6)), new Set(['locked']));
    assert.equal(spy.verified.length, 6, 'locked attempts cost no hashing');
    assert.equal(audit.events.filter((e) => e.event === 'auth.login.failed').length, 6);
    const locked = await auth.login({ username: 'ann', password: ANN_PASSWORD, address: '203.0.113.9' });
    assert.equal(locked.ok, false);
    assert.ok(!locked.ok && locked.reason === 'locked' && locked.retryAfterMs > 0);
    const owner = await auth.login({ username: 'ann', password: ANN_PASSWORD, address: '10.0.0.7' });
    assert.equal(owner.ok, true);
  });

  it('records a lockout when the lock starts', async () => {
    const { auth, audit, clock } = await withAnn();
    for (let i = 0; i < 10; i++) {
      const result = await auth.login({ username: 'ann', password: `guess-number-${i}`, address: '203.0.113.9' });
      if (!result.ok && result.reason === 'locked') {
        clock.advance(result.retryAfterMs);
        i--;
      }
    }
    const lockouts = audit.events.filter((e) => e.event === 'auth.lockout');
    assert.equal(lockouts.length, 1);
    assert.equal(lockouts[0]?.username, 'ann');
    assert.equal(lockouts[0]?.address, '203.0.113.9');
    assert.deepEqual(lockouts[0]?.details, { reason: 'account', retryAfterMs: 15 * 60_000 });
  });

  it('logs in a Node-RED bcrypt user and re-hashes the password with scrypt', async () => {
    const { auth, users, audit } = await setup();
    // As found in a Node-RED settings.js adminAuth block.
    const imported = bcrypt.hashSync('node-red-secret-pw', 8);
    users.create({ username: 'admin', role: 'admin', passwordHash: imported, createdAt: 0, passwordChangedAt: 0 });
    const first = await auth.login({ username: 'admin', password: 'node-red-secret-pw', address: '127.0.0.1' });
    assert.equal(first.ok, true);
    const stored = users.get('admin');
    assert.match(stored?.passwordHash ?? '', /^scrypt\$/);
    assert.equal(stored?.passwordChangedAt, 0, 'same password, not a change');
    assert.equal(audit.events.at(-1)?.details?.rehashed, true);
    assert.ok(first.ok && auth.authenticate(first.token), 'the session survives the re-hash');
    assert.equal((await auth.login({ username: 'admin', password: 'node-red-secret-pw', address: '127.0.0.1' })).ok, true);
    assert.equal((await auth.login({ username: 'admin', password: 'wrong', address: '127.0.0.1' })).ok, false);
  });

  it('does not re-hash a bcrypt user on a wrong password', async () => {
    const { auth, users } = await setup();
    const imported = bcrypt.hashSync('node-red-secret-pw', 4);
    users.create({ username: 'admin', role: 'admin', passwordHash: imported, createdAt: 0, passwordChangedAt: 0 });
    await auth.login({ username: 'admin', password: 'wrong-password', address: '127.0.0.1' });
    assert.equal(users.get('admin')?.passwordHash, imported);
  });
});

describe('createAuthService: load', () => {
  it('answers logins beyond the concurrent limit with a short lock, without hashing', async () => {
    const base = await withAnn();
    const gates: (() => void)[] = [];
    let verifies = 0;
    const slow: PasswordHasher = {
      hash: (p) => base.spy.hasher.hash(p),
      async verify(password, hash) {
        verifies += 1;
        await new Promise<void>((release) => gates.push(release));
        return base.spy.hasher.verify(password, hash);
      },
    };
    const auth = createAuthService(
      { users: base.users, sessions: base.sessions, hasher: slow, policy: createPasswordPolicy(), limiter: createLoginLimiter({}, { clock: base.clock }), audit: base.audit, clock: base.clock },
      { maxConcurrentLogins: 2 },
    );
    const first = auth.login({ username: 'ann', password: ANN_PASSWORD, address: '10.0.0.1' });
    const second = auth.login({ username: 'nobody', password: 'x', address: '10.0.0.2' });
    while (gates.length < 2) await new Promise((r) => setImmediate(r));
    assert.deepEqual(await auth.login({ username: 'ann', password: ANN_PASSWORD, address: '10.0.0.3' }), { ok: false, reason: 'locked', retryAfterMs: 1000 });
    assert.equal(verifies, 2);
    for (const release of gates.splice(0)) release();
    assert.equal((await first).ok, true);
    assert.equal((await second).ok, false);
    const third = auth.login({ username: 'ann', password: ANN_PASSWORD, address: '10.0.0.3' });
    while (gates.length < 1) await new Promise((r) => setImmediate(r));
    for (const release of gates.splice(0)) release();
    assert.equal((await third).ok, true);
  });

  it('refuses a concurrency limit below 1, naming the setting', async () => {
    const base = await setup();
    const deps = { users: base.users, sessions: base.sessions, hasher: base.spy.hasher, policy: createPasswordPolicy(), limiter: createLoginLimiter({}, { clock: base.clock }), audit: base.audit, clock: base.clock };
    assert.throws(() => createAuthService(deps, { maxConcurrentLogins: 0 }), (e: unknown) => e instanceof ConfigError && e.message.includes('security.login.maxConcurrent'));
  });
});

describe('createAuthService: sessions', () => {
  it('revokes the token on logout and records it', async () => {
    const { auth, audit } = await withAnn();
    const result = await auth.login({ username: 'ann', password: ANN_PASSWORD, address: '127.0.0.1' });
    assert.ok(result.ok);
    assert.equal(auth.logout(result.token, '127.0.0.1'), true);
    assert.equal(auth.authenticate(result.token), undefined);
    assert.equal(auth.logout(result.token), false);
    assert.equal(audit.events.filter((e) => e.event === 'auth.logout').length, 1);
  });
});

describe('createAuthService: users', () => {
  it('creates a user with a hashed password and audits it without secrets', async () => {
    const { auth, users, audit } = await setup();
    await auth.createUser({ username: 'ann', password: ANN_PASSWORD, role: 'editor', by: 'root-admin', address: '127.0.0.1' });
    const stored = users.get('ann');
    assert.equal(stored?.role, 'editor');
    assert.match(stored?.passwordHash ?? '', /^scrypt\$/);
    assert.deepEqual(audit.events.map((e) => [e.event, e.username, e.details]), [['user.create', 'root-admin', { target: 'ann', role: 'editor' }]]);
    const dump = JSON.stringify(audit.events);
    assert.ok(!dump.includes(ANN_PASSWORD) && !dump.includes(stored?.passwordHash ?? '-'));
  });

  it('refuses a bad name, an unknown role and a weak password together, creating nothing', async () => {
    const { auth, users, audit } = await setup();
    await assert.rejects(
      auth.createUser({ username: '../etc', password: 'password', role: 'root' as 'admin', by: 'x' }),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        const codes = e.issues.map((i) => i.code);
        assert.ok(codes.includes('invalid_username') && codes.includes('invalid_role') && codes.includes('weak_password'), codes.join());
        assert.ok(!e.message.includes('"password"'));
        return true;
      },
    );
    assert.equal(users.count(), 0);
    assert.equal(audit.events.length, 0);
  });

  it('refuses a name that exists, in any case', async () => {
    const { auth } = await withAnn();
    await assert.rejects(auth.createUser({ username: 'ANN', password: 'orchid-lantern-rivers', role: 'viewer', by: 'x' }), ConflictError);
  });

  it('changes a password under the policy and revokes every session of the user', async () => {
    const { auth, users, audit, clock } = await withAnn();
    const one = await auth.login({ username: 'ann', password: ANN_PASSWORD, address: '10.0.0.1' });
    const two = await auth.login({ username: 'ann', password: ANN_PASSWORD, address: '10.0.0.2' });
    assert.ok(one.ok && two.ok);
    const before = users.get('ann')?.passwordHash;
    await assert.rejects(auth.changePassword({ username: 'ann', newPassword: 'ann', by: 'ann' }), ValidationError);
    assert.equal(users.get('ann')?.passwordHash, before, 'a refused password changes nothing');
    assert.ok(auth.authenticate(one.token), 'a refused change revokes nothing');
    clock.advance(1000);
    await auth.changePassword({ username: 'ann', newPassword: 'orchid-lantern-rivers', by: 'ann', address: '10.0.0.1' });
    assert.equal(auth.authenticate(one.token), undefined);
    assert.equal(auth.authenticate(two.token), undefined);
    assert.equal(users.get('ann')?.passwordChangedAt, clock.now());
    assert.equal((await auth.login({ username: 'ann', password: ANN_PASSWORD, address: '10.0.0.1' })).ok, false);
    assert.equal((await auth.login({ username: 'ann', password: 'orchid-lantern-rivers', address: '10.0.0.1' })).ok, true);
    const record = audit.events.find((e) => e.event === 'user.password');
    assert.deepEqual(record?.details, { target: 'ann', sessionsRevoked: 2 });
    assert.ok(!JSON.stringify(audit.events).includes('orchid-lantern-rivers'));
    await assert.rejects(auth.changePassword({ username: 'nobody', newPassword: 'orchid-lantern-rivers', by: 'ann' }), NotFoundError);
  });

  it('changes a role, revoking the user\'s sessions so the new role applies at once', async () => {
    const { auth, users, audit } = await withAnn();
    await auth.createUser({ username: 'bob', password: 'orchid-lantern-rivers', role: 'editor', by: 'ann' });
    const bob = await auth.login({ username: 'bob', password: 'orchid-lantern-rivers', address: '10.0.0.1' });
    assert.ok(bob.ok);
    auth.setRole({ username: 'bob', role: 'viewer', by: 'ann' });
    assert.equal(users.get('bob')?.role, 'viewer');
    assert.equal(auth.authenticate(bob.token), undefined);
    assert.deepEqual(audit.events.at(-1)?.details, { target: 'bob', from: 'editor', to: 'viewer', sessionsRevoked: 1 });
    assert.throws(() => auth.setRole({ username: 'bob', role: 'god' as 'admin', by: 'ann' }), ValidationError);
    assert.throws(() => auth.setRole({ username: 'nobody', role: 'admin', by: 'ann' }), NotFoundError);
  });

  it('refuses to demote or remove the last admin', async () => {
    const { auth, users } = await withAnn();
    assert.throws(() => auth.setRole({ username: 'ann', role: 'editor', by: 'ann' }), (e: unknown) => e instanceof ConflictError && e.code === 'last_admin');
    assert.throws(() => auth.removeUser({ username: 'ann', by: 'ann' }), (e: unknown) => e instanceof ConflictError && e.code === 'last_admin');
    assert.equal(users.get('ann')?.role, 'admin');
    await auth.createUser({ username: 'bob', password: 'orchid-lantern-rivers', role: 'admin', by: 'ann' });
    auth.setRole({ username: 'ann', role: 'editor', by: 'bob' });
    assert.equal(users.get('ann')?.role, 'editor');
  });

  it('removes a user, revoking their sessions', async () => {
    const { auth, users, audit } = await withAnn();
    await auth.createUser({ username: 'bob', password: 'orchid-lantern-rivers', role: 'viewer', by: 'ann' });
    const bob = await auth.login({ username: 'bob', password: 'orchid-lantern-rivers', address: '10.0.0.1' });
    assert.ok(bob.ok);
    auth.removeUser({ username: 'bob', by: 'ann', address: '127.0.0.1' });
    assert.equal(users.get('bob'), undefined);
    assert.equal(auth.authenticate(bob.token), undefined);
    assert.deepEqual(audit.events.at(-1)?.event, 'user.remove');
    assert.throws(() => auth.removeUser({ username: 'bob', by: 'ann' }), NotFoundError);
  });

  it('lists users without their hashes', async () => {
    const { auth } = await withAnn();
    const list = auth.listUsers();
    assert.deepEqual(list.map((u) => [u.username, u.role, u.disabled]), [['ann', 'admin', false]]);
    assert.ok(!JSON.stringify(list).includes('scrypt'));
  });
});

describe('createAuthService: first-admin setup', () => {
  it('creates the admin with the setup token, once', async () => {
    const { auth, setupToken, users, audit } = await setup();
    const { token } = setupToken.issue();
    await auth.completeSetup({ token, username: 'ann', password: ANN_PASSWORD, address: '127.0.0.1' });
    assert.equal(users.get('ann')?.role, 'admin');
    assert.deepEqual(audit.events.at(-1)?.details, { target: 'ann', role: 'admin', via: 'setup' });
    await assert.rejects(auth.completeSetup({ token, username: 'eve', password: 'orchid-lantern-rivers' }), (e: unknown) => e instanceof AuthError && e.code === 'setup_done');
    assert.equal(users.count(), 1);
  });

  it('refuses a wrong token and creates nothing', async () => {
    const { auth, setupToken, users, audit } = await setup();
    setupToken.issue();
    await assert.rejects(
      auth.completeSetup({ token: 'guessed', username: 'eve', password: ANN_PASSWORD }),
      (e: unknown) => e instanceof AuthError && e.code === 'invalid_setup_token',
    );
    assert.equal(users.count(), 0);
    assert.equal(audit.events.at(-1)?.event, 'setup.refused');
  });

  it('keeps the token usable after a refused password', async () => {
    const { auth, setupToken, users } = await setup();
    const { token } = setupToken.issue();
    await assert.rejects(auth.completeSetup({ token, username: 'ann', password: 'short' }), ValidationError);
    await auth.completeSetup({ token, username: 'ann', password: ANN_PASSWORD });
    assert.equal(users.count(), 1);
  });
});
