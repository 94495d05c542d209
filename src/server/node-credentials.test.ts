import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createVault } from '../security/credential-vault.js';
import { createFileFlowsStorage } from './services/file-flows-storage.js';
import { startTestServer } from './testing/test-server.js';

const vaultOf = (userDir: string) => createVault({ userDir, env: { REDOUBT_CREDENTIAL_KEY: 'a test passphrase that is long' }, scryptCost: 2 ** 10 });
/** The credentials change is saved after the deploy lock: wait for what the file holds to settle. */
async function fileCredentials(userDir: string, until: (c: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const creds = (await vaultOf(userDir).load()) as Record<string, unknown>;
    if (until(creds)) return creds;
    await new Promise((r) => setTimeout(r, 10));
  }
  return (await vaultOf(userDir).load()) as Record<string, unknown>;
}

describe('credentials a node sets at run time (RED.nodes.addCredentials)', () => {
  it('are saved encrypted at once, audited without their values, kept by the next deploy, and deleted the same way', async () => {
    const t = await startTestServer();
    try {
      const flows = [{ id: 't1', type: 'tab' }, { id: 'cfg', type: 'global-config', env: [] }, { id: 'c1', type: 'comment', z: 't1', wires: [] }];
      assert.equal((await t.call('POST', '/flows', { role: 'editor', body: flows })).status, 204);

      t.runtime.engine.setNodeCredentials('c1', { accessToken: 'tok-123-secret' });
      assert.deepEqual((await fileCredentials(t.userDir, (c) => 'c1' in c)).c1, { accessToken: 'tok-123-secret' });
      assert.doesNotMatch(await readFile(join(t.userDir, 'flows.cred'), 'utf8'), /tok-123-secret/);
      const [record] = t.stack.audit.list({ event: 'credentials.node', order: 'desc', limit: 1 });
      assert.deepEqual(record?.details, { nodeId: 'c1', removed: false });
      assert.doesNotMatch(JSON.stringify(t.stack.audit.list({ limit: 100 })), /tok-123-secret/);

      // The editor deploys without the token (it never had it): the token stays, on disk and for the node.
      const moved = flows.map((n) => (n.id === 'c1' ? { ...n, x: 200 } : n));
      assert.equal((await t.call('POST', '/flows', { role: 'editor', body: moved, headers: { 'node-red-deployment-type': 'nodes' } })).status, 204);
      assert.deepEqual((await vaultOf(t.userDir).load()).c1, { accessToken: 'tok-123-secret' });
      assert.deepEqual(t.runtime.engine.getCredentials('c1'), { accessToken: 'tok-123-secret' });
      // Reading the flows back never shows it.
      assert.doesNotMatch((await t.call('GET', '/flows', { role: 'admin' })).text, /tok-123-secret/);

      t.runtime.engine.setNodeCredentials('c1', undefined);
      const after = await fileCredentials(t.userDir, (c) => !('c1' in c));
      assert.equal('c1' in after, false);
      assert.equal(t.runtime.engine.getCredentials('c1'), undefined);
      const [deleted] = t.stack.audit.list({ event: 'credentials.node', order: 'desc', limit: 1 });
      assert.deepEqual(deleted?.details, { nodeId: 'c1', removed: true });
    } finally {
      await t.close();
    }
  });

  it('refuses credentials that are not an object or name no node, auditing nothing, and holds a copy as the file would', async () => {
    const t = await startTestServer();
    try {
      assert.throws(() => t.runtime.engine.setNodeCredentials('c1', 'token' as unknown as Record<string, unknown>), (err: Error & { code?: string }) => err.code === 'invalid_credentials' && /node c1/.test(err.message));
      assert.throws(() => t.runtime.engine.setNodeCredentials('', { a: 1 }), { code: 'invalid_credentials' });
      assert.equal(t.stack.audit.list({ event: 'credentials.node', limit: 10 }).length, 0);
      // Held as the file will hold them (JSON), and not through the caller's object.
      const given: Record<string, unknown> = { token: 't1', expires: undefined };
      t.runtime.engine.setNodeCredentials('c2', given);
      given.token = 'changed later';
      assert.deepEqual(t.runtime.engine.getCredentials('c2'), { token: 't1' });
    } finally {
      await t.close();
    }
  });

  it('saves and audits nothing when a node sets the credentials it already has', async () => {
    const t = await startTestServer();
    try {
      t.runtime.engine.setNodeCredentials('c1', { accessToken: 'same' });
      await fileCredentials(t.userDir, (c) => 'c1' in c);
      t.runtime.engine.setNodeCredentials('c1', { accessToken: 'same' });
      t.runtime.engine.setNodeCredentials('c1', { accessToken: 'same' });
      // A later real change, to know the queue has run past the two above.
      t.runtime.engine.setNodeCredentials('c9', { other: 'x' });
      await fileCredentials(t.userDir, (c) => 'c9' in c);
      // The audit record is written once the file's save has finished, a moment after the file
      // shows the change.
      const audited = () => t.stack.audit.list({ event: 'credentials.node', order: 'asc', limit: 10 }).map((r) => (r.details as { nodeId: string }).nodeId);
      for (let i = 0; i < 100 && !audited().includes('c9'); i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(audited(), ['c1', 'c9']);
    } finally {
      await t.close();
    }
  });

  it('when the save fails: logs and audits it, keeps them in memory, and the next deploy saves them', async () => {
    let failCredentialSaves = true;
    const t = await startTestServer({
      storage: (userDir) => {
        const real = createFileFlowsStorage({ flowsPath: join(userDir, 'flows.json') }, { vault: vaultOf(userDir) });
        return {
          ...real,
          saveCredentials: async (creds) => {
            if (failCredentialSaves) throw new Error('disk full');
            return real.saveCredentials!(creds);
          },
        };
      },
    });
    try {
      const flows = [{ id: 't1', type: 'tab' }, { id: 'c1', type: 'comment', z: 't1', wires: [] }];
      assert.equal((await t.call('POST', '/flows', { role: 'editor', body: flows })).status, 204);
      t.runtime.engine.setNodeCredentials('c1', { accessToken: 'tok-kept' });
      for (let i = 0; i < 100 && t.stack.audit.list({ event: 'credentials.node.failed', limit: 1 }).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const [failed] = t.stack.audit.list({ event: 'credentials.node.failed', limit: 1 });
      assert.deepEqual(failed?.details, { nodeId: 'c1', removed: false });
      assert.ok(t.logs.some((line) => line.includes('Could not save the credentials node c1 set: disk full')));
      assert.ok(!t.logs.some((line) => line.includes('tok-kept')));
      assert.deepEqual(t.runtime.engine.getCredentials('c1'), { accessToken: 'tok-kept' });
      failCredentialSaves = false;
      assert.equal((await t.call('POST', '/flows', { role: 'editor', body: flows.map((n) => ({ ...n, x: 5 })), headers: { 'node-red-deployment-type': 'nodes' } })).status, 204);
      assert.deepEqual((await vaultOf(t.userDir).load()).c1, { accessToken: 'tok-kept' });
    } finally {
      await t.close();
    }
  });
});
