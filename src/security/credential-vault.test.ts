import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inTempDir } from '../testing/temp-dir.js';
import { createKeyFile, createVault, type VaultOptions } from './credential-vault.js';
import { ConfigError } from '../errors/index.js';

const creds = { 'broker-1': { user: 'plant', password: 'hunter2-very-secret' }, 'http-2': { token: 'abc123' } };
const PASS = 'correct horse battery staple';
const PASS2 = 'a different long passphrase';

const vaultIn = (userDir: string, env: VaultOptions['env'] = {}) => createVault({ userDir, env, scryptCost: 2 ** 10 });
const codeIs = (code: string) => (err: Error & { code?: string }) => err.code === code;

describe('createVault with a key file', () => {
  it('creates a 0600 key file on first save, writes a 0600 versioned envelope and reads the values back', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      const vault = vaultIn(dir);
      assert.deepEqual(await vault.load(), {});
      assert.equal(existsSync(vault.keyFile), false, 'loading nothing creates no key');
      await vault.save(creds);
      assert.equal(statSync(vault.keyFile).mode & 0o777, 0o600);
      assert.equal(statSync(vault.path).mode & 0o777, 0o600);
      const text = readFileSync(vault.path, 'utf8');
      assert.doesNotMatch(text, /hunter2|abc123|plant/);
      const envelope = JSON.parse(text);
      assert.equal(envelope.v, 1);
      assert.equal(envelope.kdf.name, 'hkdf');
      assert.deepEqual(Object.keys(envelope).sort(), ['check', 'data', 'iv', 'kdf', 'tag', 'v']);
      assert.deepEqual(await vaultIn(dir).load(), creds);
    });
  });

  it('uses a fresh IV on every save', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      const vault = vaultIn(dir);
      await vault.save(creds);
      const first = JSON.parse(readFileSync(vault.path, 'utf8')).iv;
      await vault.save(creds);
      assert.notEqual(JSON.parse(readFileSync(vault.path, 'utf8')).iv, first);
    });
  });

  it('refuses a key file that group or others can read, saying how to fix it', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      const vault = vaultIn(dir);
      await vault.save(creds);
      chmodSync(vault.keyFile, 0o644);
      await assert.rejects(vault.load(), (err: Error & { code?: string }) => err.code === 'credentials_key_insecure' && err.message.includes(`chmod 600 ${vault.keyFile}`));
      await assert.rejects(vault.save({}), codeIs('credentials_key_insecure'));
      chmodSync(vault.keyFile, 0o600);
      assert.deepEqual(await vault.load(), creds);
    });
  });

  it('reports a wrong key file as credentials_key_wrong and changes nothing', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      const vault = vaultIn(dir);
      await vault.save(creds);
      const before = readFileSync(vault.path);
      writeFileSync(vault.keyFile, 'ab'.repeat(32) + '\n', { mode: 0o600 });
      await assert.rejects(vaultIn(dir).load(), codeIs('credentials_key_wrong'));
      await assert.rejects(vaultIn(dir).save({}), codeIs('credentials_key_wrong'));
      assert.deepEqual(readFileSync(vault.path), before);
    });
  });

  it('reports a missing key file for an existing credentials file', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      const vault = vaultIn(dir);
      await vault.save(creds);
      rmSync(vault.keyFile);
      await assert.rejects(vaultIn(dir).load(), (err: Error & { code?: string }) => err.code === 'credentials_key_wrong' && /does not exist/.test(err.message));
    });
  });

  it('reports a tampered file as credentials_tampered and refuses to overwrite it', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      const vault = vaultIn(dir);
      await vault.save(creds);
      const envelope = JSON.parse(readFileSync(vault.path, 'utf8'));
      const data = Buffer.from(envelope.data, 'base64');
      data[3] = data[3]! ^ 0x01;
      envelope.data = data.toString('base64');
      const tamperedText = JSON.stringify(envelope);
      writeFileSync(vault.path, tamperedText);
      await assert.rejects(vault.load(), codeIs('credentials_tampered'));
      await assert.rejects(vault.save({}), codeIs('credentials_tampered'));
      assert.equal(readFileSync(vault.path, 'utf8'), tamperedText);
    });
  });

  it('reports a damaged or foreign file clearly', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      const vault = vaultIn(dir);
      writeFileSync(vault.path, '{not json');
      await assert.rejects(vault.load(), codeIs('credentials_tampered'));
      writeFileSync(vault.path, JSON.stringify({ $: '0123abcd' }));
      await assert.rejects(vault.load(), codeIs('credentials_unsupported_format'));
      writeFileSync(vault.path, JSON.stringify({ v: 2 }));
      await assert.rejects(vault.load(), codeIs('credentials_unsupported_format'));
    });
  });

  it('refuses credentials that are not an object of objects', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      await assert.rejects(vaultIn(dir).save({ a: 'x' } as never), codeIs('invalid_input'));
    });
  });
});

describe('createVault with a passphrase', () => {
  it('stretches REDOUBT_CREDENTIAL_KEY with scrypt and a stored salt, and creates no key file', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      const vault = vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS });
      await vault.save(creds);
      const envelope = JSON.parse(readFileSync(vault.path, 'utf8'));
      assert.equal(envelope.kdf.name, 'scrypt');
      assert.equal(Buffer.from(envelope.kdf.salt, 'base64').length, 16);
      assert.equal(existsSync(vault.keyFile), false);
      assert.deepEqual(await vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS }).load(), creds);
    });
  });

  it('refuses a wrong passphrase and a missing one with credentials_key_wrong', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      await vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS }).save(creds);
      const before = readFileSync(join(dir, 'flows.cred'));
      await assert.rejects(vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS2 }).load(), codeIs('credentials_key_wrong'));
      await assert.rejects(vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS2 }).save({}), codeIs('credentials_key_wrong'));
      await assert.rejects(vaultIn(dir, {}).load(), (err: Error & { code?: string }) => err.code === 'credentials_key_wrong' && /REDOUBT_CREDENTIAL_KEY/.test(err.message));
      assert.deepEqual(readFileSync(join(dir, 'flows.cred')), before);
    });
  });

  it('refuses a short passphrase, naming the variable', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      await assert.rejects(vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: 'short' }).save(creds), (err: Error) => err instanceof ConfigError && /REDOUBT_CREDENTIAL_KEY/.test(err.message));
    });
  });

  it('refuses a key-file vault while a passphrase is set, pointing to rotate', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      await vaultIn(dir).save(creds);
      await assert.rejects(vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS }).load(), (err: Error & { code?: string }) => err.code === 'credentials_key_wrong' && /rotate/.test(err.message));
    });
  });

  it('never puts a secret in an error message', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      await vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS }).save(creds);
      const err = await vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS2 }).load().then(() => undefined, (e: Error) => e);
      assert.ok(err);
      assert.doesNotMatch(err.message, new RegExp(`${PASS}|${PASS2}|hunter2`));
    });
  });
});

describe('rotate', () => {
  it('re-encrypts under a new key file without loss; the old key no longer opens the file', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      const vault = vaultIn(dir);
      await vault.save(creds);
      const oldKey = readFileSync(vault.keyFile, 'utf8');
      await vault.rotate({ kind: 'key-file' });
      const newKey = readFileSync(vault.keyFile, 'utf8');
      assert.notEqual(newKey, oldKey);
      assert.equal(statSync(vault.keyFile).mode & 0o777, 0o600);
      assert.equal(existsSync(`${vault.keyFile}.new`), false);
      assert.deepEqual(await vaultIn(dir).load(), creds);
      writeFileSync(vault.keyFile, oldKey, { mode: 0o600 });
      await assert.rejects(vaultIn(dir).load(), codeIs('credentials_key_wrong'));
    });
  });

  it('moves from a key file to a passphrase and removes the old key file', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      const vault = vaultIn(dir);
      await vault.save(creds);
      const oldKey = readFileSync(vault.keyFile, 'utf8');
      await vault.rotate({ kind: 'passphrase', passphrase: PASS });
      assert.equal(existsSync(vault.keyFile), false);
      assert.deepEqual(await vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS }).load(), creds);
      writeFileSync(vault.keyFile, oldKey, { mode: 0o600 });
      await assert.rejects(vaultIn(dir).load(), codeIs('credentials_key_wrong'));
    });
  });

  it('moves from one passphrase to another; the old one no longer opens the file', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      await vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS }).save(creds);
      await vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS }).rotate({ kind: 'passphrase', passphrase: PASS2 });
      assert.deepEqual(await vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS2 }).load(), creds);
      await assert.rejects(vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS }).load(), codeIs('credentials_key_wrong'));
    });
  });

  it('refuses to rotate to the same passphrase, or when the current key is wrong, changing nothing', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      await vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS }).save(creds);
      const before = readFileSync(join(dir, 'flows.cred'));
      await assert.rejects(vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS }).rotate({ kind: 'passphrase', passphrase: PASS }), ConfigError);
      await assert.rejects(vaultIn(dir, { REDOUBT_CREDENTIAL_KEY: PASS2 }).rotate({ kind: 'key-file' }), codeIs('credentials_key_wrong'));
      assert.deepEqual(readFileSync(join(dir, 'flows.cred')), before);
      assert.equal(existsSync(join(dir, 'credential.key')), false);
    });
  });

  it('finishes a rotation that stopped before the new key file was moved into place', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      const vault = vaultIn(dir);
      await vault.save(creds);
      const oldKey = readFileSync(vault.keyFile, 'utf8');
      await vault.rotate({ kind: 'key-file' });
      // Simulate the crash window: the new key still at .new, the old key back in place.
      writeFileSync(`${vault.keyFile}.new`, readFileSync(vault.keyFile), { mode: 0o600 });
      writeFileSync(vault.keyFile, oldKey, { mode: 0o600 });
      assert.deepEqual(await vaultIn(dir).load(), creds);
      assert.equal(existsSync(`${vault.keyFile}.new`), false);
      assert.notEqual(readFileSync(vault.keyFile, 'utf8'), oldKey);
    });
  });
});

describe('createKeyFile', () => {
  it('writes a fresh 0600 key, and never replaces an existing file unless told to take it', async () => {
    await inTempDir('redoubt-vault-', async (dir) => {
      const path = join(dir, 'k.key');
      const key = await createKeyFile(path);
      assert.equal(readFileSync(path, 'utf8'), `${key.toString('hex')}\n`);
      if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
      await assert.rejects(createKeyFile(path), codeIs('write_failed'));
      assert.deepEqual(await createKeyFile(path, { takeExisting: true }), key);
      assert.equal(readFileSync(path, 'utf8'), `${key.toString('hex')}\n`);
    });
  });
});
