import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConflictError, RedoubtError } from '../errors/index.js';
import { openDatabase } from '../storage/database.js';
import { createSecondFactorStore } from '../storage/second-factor-store.js';
import { createUserStore } from '../storage/users-store.js';
import { createKeyFileSource, createSecondFactor, unsealSecondFactorSecret, type SecondFactorKey } from './second-factor.js';
import { base32Decode, totpCode } from './totp.js';
import type { AuditEvent } from './types.js';

function fixedKey(bytes: Buffer | undefined): SecondFactorKey {
  return { get: async () => bytes, getOrCreate: async () => bytes! };
}

function setup(key: SecondFactorKey = fixedKey(Buffer.alloc(32, 7))) {
  let now = 1_700_000_000_000;
  const db = openDatabase(':memory:');
  const users = createUserStore(db);
  for (const [username, role] of [['ann', 'admin'], ['bob', 'admin'], ['cy', 'editor']] as const) {
    users.create({ username, role, passwordHash: 'x', createdAt: 0, passwordChangedAt: 0 });
  }
  const store = createSecondFactorStore(db);
  const events: AuditEvent[] = [];
  const audit = { record: (e: AuditEvent) => (events.push(e), { ...e, seq: events.length, at: now, prevHash: '', hash: '' }) };
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const service = createSecondFactor({}, { store, users, audit, clock, key });
  return { db, users, store, events, clock, service };
}

describe('second factor', () => {
  it('keeps the secret sealed in the database, bound to its account', async () => {
    const { db, service, store, clock } = setup();
    const { secret } = await service.beginEnrolment({ username: 'ann', by: 'ann' });
    const raw = base32Decode(secret);
    const dump = JSON.stringify(db.prepare('SELECT * FROM second_factors').all());
    assert.ok(!dump.includes(secret) && !dump.includes(raw.toString('hex')) && !dump.includes(raw.toString('base64')));
    const record = store.get('ann')!;
    assert.deepEqual(unsealSecondFactorSecret(record.sealedSecret, Buffer.alloc(32, 7), 'ann'), raw);
    // Moved to another account, the sealed secret no longer opens.
    assert.throws(() => unsealSecondFactorSecret(record.sealedSecret, Buffer.alloc(32, 7), 'bob'), (e: unknown) => e instanceof RedoubtError && e.code === 'second_factor_damaged');
    assert.throws(() => unsealSecondFactorSecret(record.sealedSecret, Buffer.alloc(32, 8), 'ann'), (e: unknown) => e instanceof RedoubtError && e.code === 'second_factor_damaged');
    await service.confirmEnrolment({ username: 'ann', code: totpCode(raw, clock.now()), by: 'ann' });
    assert.equal(service.isEnrolled('ann'), true);
  });

  it('names the admins without a confirmed factor, skipping disabled ones and other roles', async () => {
    const { service, users, clock } = setup();
    assert.deepEqual(service.adminsWithoutSecondFactor(), ['ann', 'bob']);
    const { secret } = await service.beginEnrolment({ username: 'bob', by: 'bob' });
    assert.deepEqual(service.adminsWithoutSecondFactor(), ['ann', 'bob'], 'pending is not enough');
    await service.confirmEnrolment({ username: 'bob', code: totpCode(base32Decode(secret), clock.now()), by: 'bob' });
    users.update('ann', { disabled: true });
    assert.deepEqual(service.adminsWithoutSecondFactor(), []);
  });

  it('refuses a wrong confirmation code, a replayed code and a confirmation with nothing pending', async () => {
    const { service, clock, events } = setup();
    await assert.rejects(service.confirmEnrolment({ username: 'ann', code: '123456', by: 'ann' }), ConflictError);
    const { secret } = await service.beginEnrolment({ username: 'ann', by: 'ann' });
    const raw = base32Decode(secret);
    const wrong = totpCode(raw, clock.now() + 5 * 30_000);
    await assert.rejects(service.confirmEnrolment({ username: 'ann', code: wrong, by: 'ann' }), (e: unknown) => e instanceof RedoubtError && e.code === 'invalid_code');
    assert.equal(events.at(-1)!.event, 'auth.2fa.enrol.failed');
    const code = totpCode(raw, clock.now());
    await service.confirmEnrolment({ username: 'ann', code, by: 'ann' });
    assert.deepEqual(await service.verifyLogin({ username: 'ann', code }), { ok: false });
    clock.advance(30_000);
    assert.deepEqual(await service.verifyLogin({ username: 'ann', code: totpCode(raw, clock.now()) }), { ok: true, method: 'totp' });
  });

  it('fails closed, and audits why, when the key is gone', async () => {
    const key = { bytes: Buffer.alloc(32, 1) as Buffer | undefined };
    const source: SecondFactorKey = { get: async () => key.bytes, getOrCreate: async () => key.bytes! };
    const { service, clock, events } = setup(source);
    const { secret } = await service.beginEnrolment({ username: 'ann', by: 'ann' });
    await service.confirmEnrolment({ username: 'ann', code: totpCode(base32Decode(secret), clock.now()), by: 'ann' });
    key.bytes = undefined;
    clock.advance(30_000);
    assert.deepEqual(await service.verifyLogin({ username: 'ann', code: totpCode(base32Decode(secret), clock.now()) }), { ok: false });
    assert.equal(events.at(-1)!.event, 'auth.2fa.error');
  });

  it('removes the factor with its user, and on disable', async () => {
    const { service, users, store } = setup();
    await service.beginEnrolment({ username: 'cy', by: 'cy' });
    users.remove('cy');
    assert.equal(store.get('cy'), undefined);
    await service.beginEnrolment({ username: 'ann', by: 'ann' });
    assert.equal(service.disable({ username: 'ann', by: 'cli' }), true);
    assert.equal(service.disable({ username: 'ann', by: 'cli' }), false);
    assert.deepEqual(service.status('ann'), { enrolled: false, pending: false, recoveryCodesLeft: 0 });
  });

  it('creates its key file once, mode 0600, and refuses one others can read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-2fa-key-'));
    try {
      const path = join(dir, 'second-factor.key');
      const source = createKeyFileSource(path);
      assert.equal(await source.get(), undefined);
      const key = await source.getOrCreate();
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.deepEqual(await createKeyFileSource(path).get(), key);
      const loose = join(dir, 'loose.key');
      await writeFile(loose, `${'ab'.repeat(32)}\n`, { mode: 0o644 });
      await assert.rejects(createKeyFileSource(loose).get(), (e: unknown) => e instanceof RedoubtError && e.code === 'credentials_key_insecure');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
