import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createVault } from '../security/credential-vault.js';
import { acquireRunLock } from '../storage/run-lock.js';
import { runCredentialsCommand } from './credentials-command.js';
import type { CommandIo } from './command-io.js';
import { captureIo } from './test-kit.js';
import { inTempDir } from '../testing/temp-dir.js';

const creds = { 'n1': { user: 'u', password: 'p-secret-value' } };

function withCreds(env: CommandIo['env'], fn: (userDir: string) => Promise<void>) {
  return inTempDir('redoubt-credcli-', async (userDir) => {
    await createVault({ userDir, env }).save(creds);
    await fn(userDir);
  });
}

describe('redoubt credentials rotate', () => {
  it('rotates to a new key file without loss; the old key no longer opens the file', async () => {
    await withCreds({}, async (userDir) => {
      const keyFile = join(userDir, 'credential.key');
      const oldKey = readFileSync(keyFile, 'utf8');
      const c = captureIo();
      assert.equal(await runCredentialsCommand(['rotate', '--user-dir', userDir], c.io), 0, c.err());
      assert.match(c.out(), /re-encrypted .*flows\.cred under a new key file/);
      assert.doesNotMatch(c.out(), /p-secret-value/);
      assert.deepEqual(await createVault({ userDir, env: {} }).load(), creds);
      writeFileSync(keyFile, oldKey, { mode: 0o600 });
      await assert.rejects(createVault({ userDir, env: {} }).load(), { code: 'credentials_key_wrong' });
    });
  });

  it('rotates from one passphrase to another given in REDOUBT_NEW_CREDENTIAL_KEY', async () => {
    const OLD = 'the old long passphrase';
    const NEW = 'the new long passphrase';
    await withCreds({ REDOUBT_CREDENTIAL_KEY: OLD }, async (userDir) => {
      const c = captureIo({ REDOUBT_CREDENTIAL_KEY: OLD, REDOUBT_NEW_CREDENTIAL_KEY: NEW });
      assert.equal(await runCredentialsCommand(['rotate', '--user-dir', userDir], c.io), 0, c.err());
      assert.match(c.out(), /set REDOUBT_CREDENTIAL_KEY to the new passphrase/);
      assert.deepEqual(await createVault({ userDir, env: { REDOUBT_CREDENTIAL_KEY: NEW } }).load(), creds);
      await assert.rejects(createVault({ userDir, env: { REDOUBT_CREDENTIAL_KEY: OLD } }).load(), { code: 'credentials_key_wrong' });
    });
  });

  it('refuses while Redoubt is running, leaving the file as it was', async () => {
    await withCreds({}, async (userDir) => {
      const before = readFileSync(join(userDir, 'flows.cred'));
      const lock = await acquireRunLock(userDir);
      try {
        const c = captureIo();
        assert.equal(await runCredentialsCommand(['rotate', '--user-dir', userDir], c.io), 1);
        assert.match(c.err(), /Redoubt is running .*stop it first/);
      } finally {
        await lock.release();
      }
      assert.deepEqual(readFileSync(join(userDir, 'flows.cred')), before);
    });
  });

  it('refuses --to passphrase without a new passphrase, an unknown --to and an unknown subcommand', async () => {
    await withCreds({}, async (userDir) => {
      await assert.rejects(runCredentialsCommand(['rotate', '--to', 'passphrase', '--user-dir', userDir], captureIo().io), /REDOUBT_NEW_CREDENTIAL_KEY/);
      await assert.rejects(runCredentialsCommand(['rotate', '--to', 'rot13', '--user-dir', userDir], captureIo().io), { code: 'invalid_config' });
      assert.equal(await runCredentialsCommand(['show', '--user-dir', userDir], captureIo().io), 2);
      assert.equal(existsSync(join(userDir, '.redoubt.lock')), false);
    });
  });
});
