import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openDatabase } from '../storage/database.js';
import { createAuditStore } from '../storage/audit-store.js';
import { createAuditLog } from '../security/audit-log.js';
import { runAuditLogCommand } from './audit-log-command.js';
import { captureIo } from './test-kit.js';
import { inTempDir } from '../testing/temp-dir.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

function withLog(fn: (userDir: string) => Promise<void>) {
  return inTempDir('redoubt-auditcli-', async (userDir) => {
    const db = openDatabase(join(userDir, 'redoubt.db'));
    let t = Date.UTC(2025, 0, 1);
    const log = createAuditLog({ store: createAuditStore(db) }, { clock: { now: () => (t += 1000) } });
    log.record({ event: 'auth.login', username: 'ada', address: '127.0.0.1' });
    log.record({ event: 'auth.login.failed', username: 'bob', address: '10.0.0.9', details: { attempts: 3 } });
    log.record({ event: 'flows.deploy', username: 'ada', details: { summary: '1 added' } });
    db.close();
    await fn(userDir);
  });
}

describe('redoubt audit-log', () => {
  it('verify prints OK with the count on an intact log', async () => {
    await withLog(async (userDir) => {
      const c = captureIo();
      assert.equal(await runAuditLogCommand(['verify', '--user-dir', userDir], c.io), 0);
      assert.match(c.out(), /^OK: 3 records/);
    });
  });

  it('verify prints the first bad record and exits non-zero after an edit in the file', async () => {
    await withLog(async (userDir) => {
      const raw = new Database(join(userDir, 'redoubt.db'));
      raw.exec("DROP TRIGGER audit_log_append_only_u; UPDATE audit_log SET username = 'eve' WHERE seq = 2");
      raw.close();
      const c = captureIo();
      assert.equal(await runAuditLogCommand(['verify', '--user-dir', userDir], c.io), 1);
      assert.match(c.out(), /FAILED at record 2: record 2 was edited/);
    });
  });

  it('verify --head detects records cut off the end', async () => {
    await withLog(async (userDir) => {
      const h = captureIo();
      await runAuditLogCommand(['head', '--user-dir', userDir], h.io);
      const head = h.out().trim();
      assert.match(head, /^3:[0-9a-f]{64}$/);
      const raw = new Database(join(userDir, 'redoubt.db'));
      raw.exec('DROP TRIGGER audit_log_append_only_d; DELETE FROM audit_log WHERE seq = 3');
      raw.close();
      const c = captureIo();
      assert.equal(await runAuditLogCommand(['verify', '--user-dir', userDir, '--head', head], c.io), 1);
      assert.match(c.out(), /removed from the end/);
    });
  });

  it('list shows the newest N, filtered by event, oldest of them first', async () => {
    await withLog(async (userDir) => {
      const c = captureIo();
      assert.equal(await runAuditLogCommand(['list', '--user-dir', userDir, '--limit', '2'], c.io), 0);
      const lines = c.out().trimEnd().split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, /^\s+2 {2}2025-01-01T00:00:02.000Z {2}auth\.login\.failed {2}bob@10\.0\.0\.9 \{"attempts":3\}$/);
      assert.match(lines[1]!, /flows\.deploy/);
      const f = captureIo();
      await runAuditLogCommand(['list', '--user-dir', userDir, '--event', 'auth.*', '--json'], f.io);
      assert.deepEqual(JSON.parse(f.out()).map((r: { seq: number }) => r.seq), [1, 2]);
    });
  });

  it('refuses a missing database, a bad limit and an unknown subcommand', async () => {
    await inTempDir('redoubt-auditcli-', async (empty) => {
      const c = captureIo();
      assert.equal(await runAuditLogCommand(['verify', '--user-dir', empty], c.io), 1);
      assert.match(c.err(), /does not exist/);
      await withLog(async (userDir) => {
        await assert.rejects(runAuditLogCommand(['list', '--user-dir', userDir, '--limit', '0'], captureIo().io), { code: 'invalid_config' });
      });
      assert.equal(await runAuditLogCommand(['erase'], captureIo().io), 2);
    });
  });

  it('exits non-zero from the real command line when the chain is broken', async () => {
    await withLog(async (userDir) => {
      const ok = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'audit-log', 'verify', '--user-dir', userDir], { encoding: 'utf8' });
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /OK: 3 records/);
      const raw = new Database(join(userDir, 'redoubt.db'));
      raw.exec('DROP TRIGGER audit_log_append_only_d; DELETE FROM audit_log WHERE seq = 2');
      raw.close();
      const bad = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'audit-log', 'verify', '--user-dir', userDir], { encoding: 'utf8' });
      assert.equal(bad.status, 1);
      assert.match(bad.stdout, /FAILED at record 2: record 2 was removed/);
    });
  });
});
