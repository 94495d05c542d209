import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedoubtError } from '../errors/index.js';
import { createVault } from '../security/credential-vault.js';
import { createFileFlowsStorage } from './services/file-flows-storage.js';
import { startTestServer } from './testing/test-server.js';

describe('a deploy whose save fails', () => {
  it('answers 500 flows_not_saved and leaves the running flows and the files as they were', async () => {
    let failSaves = false;
    const t = await startTestServer({
      storage: (userDir) => {
        const real = createFileFlowsStorage({ flowsPath: join(userDir, 'flows.json') }, { vault: { load: async () => ({}), save: async () => undefined } });
        return {
          load: real.load,
          save: async (flows, creds) => {
            if (failSaves) throw new Error('disk full');
            return real.save(flows, creds);
          },
        };
      },
    });
    try {
      const first = [{ id: 't1', type: 'tab' }, { id: 'c1', type: 'comment', z: 't1', wires: [] }];
      assert.equal((await t.call('POST', '/flows', { role: 'editor', body: first })).status, 204);
      const fileBefore = await readFile(join(t.userDir, 'flows.json'), 'utf8');
      const revBefore = t.runtime.engine.getFlows().rev;
      failSaves = true;
      const res = await t.call('POST', '/flows', { role: 'editor', body: [{ id: 't1', type: 'tab' }, { id: 'c2', type: 'comment', z: 't1', wires: [] }] });
      assert.equal(res.status, 500);
      assert.deepEqual(res.json(), { code: 'flows_not_saved', message: 'The request could not be completed' });
      assert.doesNotMatch(res.text, /disk full/);
      assert.equal(t.runtime.engine.getFlows().rev, revBefore);
      assert.ok(t.runtime.engine.getNode('c1'));
      assert.equal(t.runtime.engine.getNode('c2'), undefined);
      assert.equal(await readFile(join(t.userDir, 'flows.json'), 'utf8'), fileBefore);
      assert.equal(t.stack.history.list().length, 1, 'no history version for the failed deploy');
    } finally {
      await t.close();
    }
  });

  it('keeps a deploy that runs and is saved when only its history version fails, and audits it', async () => {
    const t = await startTestServer();
    try {
      const first = [{ id: 't1', type: 'tab' }, { id: 'c1', type: 'comment', z: 't1', wires: [] }];
      assert.equal((await t.call('POST', '/flows', { role: 'editor', body: first })).status, 204);
      t.stack.history.prepare = () => ({
        add: async () => {
          throw new Error('database is locked');
        },
      });
      const second = [{ id: 't1', type: 'tab' }, { id: 'c2', type: 'comment', z: 't1', wires: [] }];
      const res = await t.call('POST', '/flows', { role: 'editor', body: second });
      assert.equal(res.status, 500);
      assert.equal(res.json().code, 'history_not_saved');
      assert.ok(t.runtime.engine.getNode('c2'), 'the new flows run');
      assert.deepEqual(JSON.parse(await readFile(join(t.userDir, 'flows.json'), 'utf8')), second, 'and are the ones on disk');
      assert.equal(t.stack.history.list().length, 1);
      const [record] = t.stack.audit.list({ event: 'flows.deploy', order: 'desc', limit: 1 });
      assert.equal((record?.details as { historyNotSaved?: boolean } | undefined)?.historyNotSaved, true);
    } finally {
      await t.close();
    }
  });

  it('puts the flows file back when the credentials cannot be written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-storage-'));
    const path = join(dir, 'flows.json');
    await writeFile(path, '[{"id":"old","type":"tab"}]');
    const storage = createFileFlowsStorage({ flowsPath: path }, {
      vault: {
        load: async () => ({}),
        save: async () => {
          throw new RedoubtError('write_failed', 'vault refused');
        },
      },
    });
    await assert.rejects(storage.save([{ id: 'new', type: 'tab' }], { new: { a: 1 } }), /vault refused/);
    assert.equal(await readFile(path, 'utf8'), '[{"id":"old","type":"tab"}]');
  });

  it('removes the flows file again when there was none and the credentials cannot be written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-storage-'));
    const path = join(dir, 'flows.json');
    const storage = createFileFlowsStorage({ flowsPath: path }, {
      vault: {
        load: async () => ({}),
        save: async () => {
          throw new RedoubtError('write_failed', 'vault refused');
        },
      },
    });
    await assert.rejects(storage.save([{ id: 'new', type: 'tab' }], {}), /vault refused/);
    await assert.rejects(readFile(path, 'utf8'), { code: 'ENOENT' });
  });

  it('writes the credentials file only when the credentials changed or the file is not the one it wrote', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-storage-'));
    const real = createVault({ userDir: dir, env: {} });
    let vaultSaves = 0;
    const vault = { path: real.path, load: real.load, save: async (c: Record<string, Record<string, unknown>>) => { vaultSaves++; await real.save(c); } };
    const storage = createFileFlowsStorage({ flowsPath: join(dir, 'flows.json') }, { vault });
    const flows = [{ id: 't1', type: 'tab' }];
    await storage.save(flows, { cfg: { password: 'hunter2' } });
    const first = (await stat(real.path)).ino;
    await storage.save(flows, { cfg: { password: 'hunter2' } });
    assert.equal(vaultSaves, 1, 'the same credentials are not encrypted and written again');
    assert.equal((await stat(real.path)).ino, first);

    await storage.save(flows, { cfg: { password: 'hunter3' } });
    assert.equal(vaultSaves, 2);
    assert.deepEqual(await real.load(), { cfg: { password: 'hunter3' } });

    // Removed behind the runtime's back: the next save puts the credentials back.
    await rm(real.path);
    await storage.save(flows, { cfg: { password: 'hunter3' } });
    assert.equal(vaultSaves, 3);
    assert.deepEqual(await real.load(), { cfg: { password: 'hunter3' } });

    // A fresh storage that loaded the file knows it too.
    const again = createFileFlowsStorage({ flowsPath: join(dir, 'flows.json') }, { vault });
    assert.deepEqual((await again.load()).credentials, { cfg: { password: 'hunter3' } });
    await again.save(flows, { cfg: { password: 'hunter3' } });
    assert.equal(vaultSaves, 3);
  });

  it('still refuses to write over a tampered credentials file when the credentials did not change, and keeps the flows file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-storage-'));
    const vault = createVault({ userDir: dir, env: {} });
    const path = join(dir, 'flows.json');
    const storage = createFileFlowsStorage({ flowsPath: path }, { vault });
    await storage.save([{ id: 't1', type: 'tab' }], { cfg: { password: 'hunter2' } });
    const flowsBefore = await readFile(path, 'utf8');
    const envelope = JSON.parse(await readFile(vault.path, 'utf8')) as { data: string };
    envelope.data = Buffer.from('attacker').toString('base64');
    await writeFile(vault.path, JSON.stringify(envelope));
    const tampered = await readFile(vault.path, 'utf8');
    await assert.rejects(storage.save([{ id: 't2', type: 'tab' }], { cfg: { password: 'hunter2' } }), (err: Error & { code?: string }) => err.code === 'credentials_tampered');
    assert.equal(await readFile(path, 'utf8'), flowsBefore, 'the flows file is put back');
    assert.equal(await readFile(vault.path, 'utf8'), tampered, 'the evidence stays');
  });
});
