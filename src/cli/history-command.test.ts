import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../storage/database.js';
import { createFlowHistory } from '../storage/history-store.js';
import { createAuditStore } from '../storage/audit-store.js';
import { createAuditLog } from '../security/audit-log.js';
import { acquireRunLock } from '../storage/run-lock.js';
import { runHistoryCommand } from './history-command.js';
import { captureIo } from './test-kit.js';
import { inTempDir } from '../testing/temp-dir.js';

const v1 = [{ id: 't1', type: 'tab' }, { id: 'a', type: 'inject', z: 't1', wires: [['b']] }, { id: 'b', type: 'debug', z: 't1', wires: [] }];
const v2 = [{ id: 't1', type: 'tab' }, { id: 'a', type: 'inject', z: 't1', wires: [['c']] }, { id: 'c', type: 'function', z: 't1', wires: [] }];

function withHistory(fn: (userDir: string) => Promise<void>) {
  return inTempDir('redoubt-histcli-', async (userDir) => {
    const db = openDatabase(join(userDir, 'redoubt.db'));
    const history = createFlowHistory({ db }, { clock: { now: () => Date.UTC(2025, 0, 1) } });
    history.add(v1, { username: 'ada', summary: '3 added, 0 changed, 0 removed (deployment type: full)', rev: 'rev1' });
    history.add(v2, { username: 'bob', summary: '1 added, 1 changed, 1 removed (deployment type: full)', rev: 'rev2' });
    db.close();
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify(v2));
    await fn(userDir);
  });
}

describe('redoubt history', () => {
  it('lists versions newest first', async () => {
    await withHistory(async (userDir) => {
      const c = captureIo();
      assert.equal(await runHistoryCommand(['list', '--user-dir', userDir], c.io), 0);
      const lines = c.out().trimEnd().split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, /^\s+2 .* bob {2}1 added, 1 changed, 1 removed .*\(rev rev2\)$/);
      assert.match(lines[1]!, /^\s+1 .* ada /);
    });
  });

  it('shows a version and diffs two', async () => {
    await withHistory(async (userDir) => {
      const s = captureIo();
      assert.equal(await runHistoryCommand(['show', '1', '--user-dir', userDir], s.io), 0);
      assert.deepEqual(JSON.parse(s.out()), v1);
      const d = captureIo();
      assert.equal(await runHistoryCommand(['diff', '1', '2', '--user-dir', userDir], d.io), 0);
      assert.equal(d.out(), '+ c\n- b\n~ a\n1 added, 1 changed, 1 removed\n');
    });
  });

  it('refuses unknown versions and bad operands', async () => {
    await withHistory(async (userDir) => {
      await assert.rejects(runHistoryCommand(['show', '9', '--user-dir', userDir], captureIo().io), { code: 'not_found' });
      await assert.rejects(runHistoryCommand(['show', 'x', '--user-dir', userDir], captureIo().io), { code: 'invalid_config' });
      assert.equal(await runHistoryCommand(['diff', '1', '--user-dir', userDir], captureIo().io), 2);
      assert.equal(await runHistoryCommand(['purge', '--user-dir', userDir], captureIo().io), 2);
    });
  });

  it('rolls back while stopped: writes flows.json with a backup, stores a new version and audits it', async () => {
    await withHistory(async (userDir) => {
      const c = captureIo();
      assert.equal(await runHistoryCommand(['rollback', '1', '--user-dir', userDir], c.io), 0, c.err());
      assert.deepEqual(JSON.parse(readFileSync(join(userDir, 'flows.json'), 'utf8')), v1);
      assert.deepEqual(JSON.parse(readFileSync(join(userDir, '.flows.json.backup'), 'utf8')), v2);
      assert.equal(existsSync(join(userDir, '.redoubt.lock')), false, 'the lock is released');
      const db = openDatabase(join(userDir, 'redoubt.db'));
      const latest = createFlowHistory({ db }, { clock: { now: Date.now } }).list(1)[0]!;
      assert.equal(latest.version, 3);
      assert.match(latest.summary, /^rollback to version 1: 1 added, 1 changed, 1 removed/);
      const audit = createAuditLog({ store: createAuditStore(db) }, { clock: { now: Date.now } });
      const [record] = audit.list({ event: 'flows.rollback' });
      assert.deepEqual(record?.details, { version: 1, newVersion: 3, via: 'cli' });
      assert.deepEqual(audit.verify(), { ok: true, count: 1 });
      db.close();
    });
  });

  it('honours the flowFile setting of redoubt.yaml', async () => {
    await withHistory(async (userDir) => {
      writeFileSync(join(userDir, 'redoubt.yaml'), 'flowFile: plant.json\n');
      assert.equal(await runHistoryCommand(['rollback', '2', '--user-dir', userDir], captureIo().io), 0);
      assert.deepEqual(JSON.parse(readFileSync(join(userDir, 'plant.json'), 'utf8')), v2);
    });
  });

  it('refuses to roll back while Redoubt is running, and changes nothing', async () => {
    await withHistory(async (userDir) => {
      const lock = await acquireRunLock(userDir);
      try {
        const c = captureIo();
        assert.equal(await runHistoryCommand(['rollback', '1', '--user-dir', userDir], c.io), 1);
        assert.match(c.err(), new RegExp(`Redoubt is running on .* \\(pid ${process.pid}\\): stop it first`));
        assert.deepEqual(JSON.parse(readFileSync(join(userDir, 'flows.json'), 'utf8')), v2);
        assert.equal(existsSync(join(userDir, '.flows.json.backup')), false);
      } finally {
        await lock.release();
      }
    });
  });
});
