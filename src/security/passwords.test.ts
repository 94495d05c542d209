import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { ConfigError } from '../errors/index.js';
import { createPasswordHasher, isBcryptHash } from './passwords.js';

describe('createPasswordHasher', () => {
  const hasher = createPasswordHasher();

  it('hashes with scrypt N=2^15, r=8, p=1, a 16-byte salt and a 32-byte key', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    const [algo, n, r, p, salt, key] = stored.split('$');
    assert.equal(algo, 'scrypt');
    assert.equal(n, String(2 ** 15));
    assert.equal(r, '8');
    assert.equal(p, '1');
    assert.equal(Buffer.from(salt as string, 'base64').length, 16);
    assert.equal(Buffer.from(key as string, 'base64').length, 32);
    assert.ok(!stored.includes('correct horse'));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    assert.deepEqual(await hasher.verify('correct horse battery staple', stored), { ok: true, needsRehash: false });
    assert.deepEqual(await hasher.verify('correct horse battery stapl', stored), { ok: false, needsRehash: false });
    assert.deepEqual(await hasher.verify('', stored), { ok: false, needsRehash: false });
  });

  it('salts each hash differently', async () => {
    assert.notEqual(await hasher.hash('same password here'), await hasher.hash('same password here'));
  });

  it('asks for a rehash of a hash made at a lower cost, and still verifies it', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('old cost password', salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const stored = `scrypt$${2 ** 14}$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    assert.deepEqual(await hasher.verify('old cost password', stored), { ok: true, needsRehash: true });
    assert.equal((await hasher.verify('another password', stored)).ok, false);
  });

  it('asks a cheaper hasher for no rehash of a costlier hash', async () => {
    const strong = createPasswordHasher({ logN: 16 });
    const stored = await strong.hash('a passphrase for two');
    assert.deepEqual(await hasher.verify('a passphrase for two', stored), { ok: true, needsRehash: false });
    assert.deepEqual(await strong.verify('a passphrase for two', await hasher.hash('a passphrase for two')), { ok: true, needsRehash: true });
  });

  for (const version of ['2a', '2b', '2y']) {
    it(`accepts a Node-RED bcrypt $${version}$ hash and asks for a rehash`, async () => {
      const made = bcrypt.hashSync('node-red password', 8);
      const stored = made.replace(/^\$2[ab]\$/, `$${version}$`);
      assert.equal(isBcryptHash(stored), true);
      assert.deepEqual(await hasher.verify('node-red password', stored), { ok: true, needsRehash: true });
      assert.deepEqual(await hasher.verify('wrong password', stored), { ok: false, needsRehash: true });
    });
  }

  it('refuses a bcrypt hash whose cost would tie up the CPU', async () => {
    for (const cost of ['13', '31']) {
      const stored = bcrypt.hashSync('pw', 4).replace(/^\$2b\$04\$/, `$2b$${cost}$`);
      assert.deepEqual(await hasher.verify('pw', stored), { ok: false, needsRehash: false }, cost);
    }
  });

  it('refuses malformed and hostile stored hashes without throwing', async () => {
    const salt = randomBytes(16).toString('base64');
    const key = randomBytes(32).toString('base64');
    const bad = [
      '',
      'plain text password',
      'scrypt$',
      `scrypt$32768$8$1$${salt}`,
      `scrypt$32767$8$1$${salt}$${key}`, // N not a power of two
      `scrypt$${2 ** 24}$8$1$${salt}$${key}`, // 2 GiB of memory
      `scrypt$32768$0$1$${salt}$${key}`,
      `scrypt$32768$8$1$!!!$${key}`,
      `scrypt$32768$8$1$${salt}$${key}$extra`,
      `argon2id$v=19$m=65536,t=3,p=4$${salt}$${key}`,
      '$2b$08$short',
    ];
    for (const stored of bad) {
      assert.deepEqual(await hasher.verify('anything', stored), { ok: false, needsRehash: false }, stored);
    }
    assert.deepEqual(await hasher.verify(undefined as unknown as string, await hasher.hash('x')), { ok: false, needsRehash: false });
  });

  it('refuses a cost below N=2^15 or one that would exhaust memory, naming the setting', () => {
    assert.throws(() => createPasswordHasher({ logN: 14 }), (e: unknown) => e instanceof ConfigError && e.message.includes('security.password.scrypt.logN'));
    assert.throws(() => createPasswordHasher({ logN: 22 }), ConfigError);
    assert.throws(() => createPasswordHasher({ r: 4 }), (e: unknown) => e instanceof ConfigError && e.message.includes('scrypt.r'));
    assert.throws(() => createPasswordHasher({ logN: 18, r: 16 }), ConfigError);
    assert.throws(() => createPasswordHasher({ p: 0 }), ConfigError);
  });
});
