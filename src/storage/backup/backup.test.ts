import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RedoubtError, ValidationError } from '../../errors/index.js';
import { createAuditLog } from '../../security/audit-log.js';
import { createVault } from '../../security/credential-vault.js';
import type { AuditLog } from '../../security/types.js';
import { createAuditStore } from '../audit-store.js';
import { openDatabase, type Db } from '../database.js';
import { createFlowHistory } from '../history-store.js';
import { createNodeSetsStore } from '../node-sets-store.js';
import { acquireRunLock } from '../run-lock.js';
import { createSecondFactorStore } from '../second-factor-store.js';
import { createSessionStore } from '../sessions-store.js';
import { createUserStore } from '../users-store.js';
import { createBackup, createBackupScheduler, openArchive, parseBackupInterval, pruneBackups, restoreBackup, sealArchive } from './index.js';

const PASS = 'backup passphrase for tests';
const COST = 2 ** 10;
const clock = { now: () => Date.UTC(2026, 0, 28, 3, 15) };
const FLOWS = [
  { id: 't1', type: 'tab', label: 'Plant' },
  { id: 'n1', type: 'inject', z: 't1', wires: [['n2']] },
  { id: 'n2', type: 'debug', z: 't1', wires: [] },
];

interface Install {
  dir: string;
  db: Db;
  audit: AuditLog;
}

async function makeInstall(): Promise<Install> {
  const dir = await mkdtemp(join(tmpdir(), 'redoubt-backup-'));
  await writeFile(join(dir, 'flows.json'), JSON.stringify(FLOWS));
  await writeFile(join(dir, 'redoubt.yaml'), 'port: 1881\n');
  await createVault({ userDir: dir, env: {} }).save({ n1: { token: 'plant-secret-token' } });
  const db = openDatabase(join(dir, 'redoubt.db'));
  const users = createUserStore(db);
  users.create({ username: 'ann', role: 'admin', passwordHash: 'scrypt$fake', createdAt: 1, passwordChangedAt: 2 });
  users.create({ username: 'bob', role: 'viewer', passwordHash: 'scrypt$fake2', createdAt: 3, passwordChangedAt: 4 });
  createSecondFactorStore(db).put({ username: 'ann', sealedSecret: 'v1.aa.bb.cc', confirmed: true, lastStep: 5, recoveryHashes: ['ab'.repeat(32)], createdAt: 9 });
  createNodeSetsStore(db).setDisabled(['node-red/exec'], true, { username: 'ann', at: 7 });
  createSessionStore(db).insert({ tokenHash: 'h', username: 'ann', role: 'admin', createdAt: 1, lastSeenAt: 1, expiresAt: 9e15 });
  createFlowHistory({ db }, { clock }).add(FLOWS, { summary: 'first', rev: 'r1' });
  const audit = createAuditLog({ store: createAuditStore(db) }, { clock });
  audit.record({ event: 'auth.login', username: 'ann' });
  return { dir, db, audit };
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    if (name.startsWith('redoubt.db') || name === 'backups') continue;
    out[name] = (await readFile(join(dir, name))).toString('base64');
  }
  return out;
}

describe('backups', () => {
  let a: Install;
  let archivePath: string;
  before(async () => {
    a = await makeInstall();
    archivePath = (await createBackup({ userDir: a.dir, passphrase: PASS, includeHistory: true, redoubtVersion: '1.2.3', by: 'test', scryptCost: COST }, { db: a.db, audit: a.audit, clock })).path;
  });
  after(async () => {
    a.db.close();
    await rm(a.dir, { recursive: true, force: true });
  });

  it('writes one 0600 archive under backups/, audited, without the credential key', async () => {
    assert.match(archivePath, /backups\/redoubt-20260128T031500000Z\.rdbk$/);
    assert.equal((await stat(archivePath)).mode & 0o777, 0o600);
    const opened = await openArchive(await readFile(archivePath), PASS);
    assert.deepEqual(Object.keys(opened.entries).sort(), ['flows.cred', 'flows.json', 'history.json', 'meta.json', 'node-sets.json', 'redoubt.yaml', 'users.json']);
    const key = (await readFile(join(a.dir, 'credential.key'), 'utf8')).trim();
    for (const data of Object.values(opened.entries)) assert.ok(!data.toString('utf8').includes(key));
    const raw = await readFile(archivePath, 'utf8');
    assert.ok(!raw.includes('plant') && !raw.includes('scrypt$fake'), 'nothing readable without the passphrase');
    assert.equal(a.audit.list({ event: 'backup.create' }).length, 1);
    const meta = JSON.parse(opened.entries['meta.json']!.toString());
    assert.deepEqual(meta.auditHead.seq, 1);
  });

  it('refuses a wrong passphrase and a single changed byte, with one answer', async () => {
    const bytes = await readFile(archivePath);
    await assert.rejects(openArchive(bytes, 'another passphrase 123'), (e: unknown) => e instanceof RedoubtError && e.code === 'backup_unreadable');
    const envelope = JSON.parse(bytes.toString());
    const data = Buffer.from(envelope.data, 'base64');
    data[10] = data[10]! ^ 1;
    const tampered = Buffer.from(JSON.stringify({ ...envelope, data: data.toString('base64') }));
    await assert.rejects(openArchive(tampered, PASS), (e: unknown) => e instanceof RedoubtError && e.code === 'backup_unreadable');
    const weakened = Buffer.from(JSON.stringify({ ...envelope, kdf: { ...envelope.kdf, N: 2 ** 11 } }));
    await assert.rejects(openArchive(weakened, PASS), (e: unknown) => e instanceof RedoubtError && e.code === 'backup_unreadable');
    await assert.rejects(openArchive(Buffer.from(JSON.stringify({ ...envelope, v: 9 })), PASS), (e: unknown) => e instanceof RedoubtError && e.code === 'backup_unsupported');
    await assert.rejects(openArchive(Buffer.from('PK\u0003\u0004zip'), PASS), (e: unknown) => e instanceof RedoubtError && e.code === 'backup_invalid');
  });

  it('restores onto a fresh directory: same files, users, factors and history; no sessions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-restore-'));
    const db = openDatabase(join(dir, 'redoubt.db'));
    try {
      const audit = createAuditLog({ store: createAuditStore(db) }, { clock });
      const result = await restoreBackup({ userDir: dir, file: archivePath, passphrase: PASS, by: 'test' }, { db, audit });
      assert.equal(result.users, 2);
      assert.equal(result.nodes, 3);
      assert.equal(result.historyVersions, 1);
      for (const name of ['flows.json', 'flows.cred', 'redoubt.yaml']) assert.deepEqual(await readFile(join(dir, name)), await readFile(join(a.dir, name)), name);
      assert.deepEqual(createUserStore(db).list(), createUserStore(a.db).list());
      assert.deepEqual(createSecondFactorStore(db).list(), createSecondFactorStore(a.db).list());
      // A set switched off stays off on the restored installation.
      assert.deepEqual(createNodeSetsStore(db).disabled(), [{ id: 'node-red/exec', disabledAt: 7, disabledBy: 'ann' }]);
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n, 0);
      assert.deepEqual(createFlowHistory({ db }, { clock }).get(1)!.flows, FLOWS);
      assert.equal(audit.list({ event: 'backup.restore' }).length, 1);
      // Without the key the credentials stay shut; with the same key (given separately) they open.
      await assert.rejects(createVault({ userDir: dir, env: {} }).load(), (e: unknown) => e instanceof RedoubtError && e.code === 'credentials_key_wrong');
      const vault = createVault({ userDir: dir, env: {}, keyFile: join(a.dir, 'credential.key') });
      assert.deepEqual(await vault.load(), { n1: { token: 'plant-secret-token' } });
      assert.equal((await stat(join(dir, 'flows.cred'))).mode & 0o777, 0o600);
      assert.deepEqual((await readdir(dir)).filter((n) => n.includes('restoring') || n === '.redoubt.lock'), []);
    } finally {
      db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('changes nothing when the archive is wrong, tampered or holds invalid flows', async () => {
    const b = await makeInstall();
    try {
      await writeFile(join(b.dir, 'flows.json'), JSON.stringify([{ id: 'other', type: 'tab' }]));
      const before = await snapshot(b.dir);
      const users = createUserStore(b.db).list();
      const auditCount = b.audit.list().length;
      await assert.rejects(restoreBackup({ userDir: b.dir, file: archivePath, passphrase: 'wrong passphrase 1234', by: 't' }, { db: b.db, audit: b.audit }), /does not open/);
      const bytes = await readFile(archivePath);
      const tamperedPath = join(b.dir, '..', `${b.dir.split('/').pop()}-tampered.rdbk`);
      const envelope = JSON.parse(bytes.toString());
      await writeFile(tamperedPath, JSON.stringify({ ...envelope, tag: Buffer.alloc(16).toString('base64') }));
      await assert.rejects(restoreBackup({ userDir: b.dir, file: tamperedPath, passphrase: PASS, by: 't' }, { db: b.db, audit: b.audit }), /does not open/);
      // Authentic but unusable: a flow with two nodes of one id.
      const badPath = `${tamperedPath}.bad`;
      const opened = await openArchive(bytes, PASS);
      opened.entries['flows.json'] = Buffer.from(JSON.stringify([...FLOWS, { id: 'n1', type: 'debug', z: 't1' }]));
      opened.entries['redoubt.yaml'] = Buffer.from('port: many\n');
      await writeFile(badPath, await sealArchive(opened, PASS, { scryptCost: COST }));
      await assert.rejects(
        restoreBackup({ userDir: b.dir, file: badPath, passphrase: PASS, by: 't', validateSettings: (text) => {
          if (text.includes('many')) throw new RedoubtError('invalid_config', 'port: must be a number');
        } }, { db: b.db, audit: b.audit }),
        (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.path?.startsWith('flows.json')) && e.issues.some((i) => i.path === 'redoubt.yaml'),
      );
      assert.deepEqual(await snapshot(b.dir), before);
      assert.deepEqual(createUserStore(b.db).list(), users);
      assert.equal((b.db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n, 1);
      assert.equal(b.audit.list().length, auditCount);
      await rm(tamperedPath, { force: true });
      await rm(badPath, { force: true });
    } finally {
      b.db.close();
      await rm(b.dir, { recursive: true, force: true });
    }
  });

  it('refuses an archive with a forged node-set record; an older archive without node sets leaves them as they are', async () => {
    const b = await makeInstall();
    try {
      const opened = await openArchive(await readFile(archivePath), PASS);
      const forgedPath = join(b.dir, '..', `${b.dir.split('/').pop()}-forged.rdbk`);
      opened.entries['node-sets.json'] = Buffer.from(JSON.stringify({ disabled: [{ id: 'node-red/exec', disabledAt: 1, disabledBy: 'x' }, { id: "'; DROP TABLE users; --", disabledAt: 'soon', disabledBy: 1 }] }));
      await writeFile(forgedPath, await sealArchive(opened, PASS, { scryptCost: COST }));
      const before = await snapshot(b.dir);
      await assert.rejects(
        restoreBackup({ userDir: b.dir, file: forgedPath, passphrase: PASS, by: 't' }, { db: b.db, audit: b.audit }),
        (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.code === 'invalid_node_set' && i.path === 'node-sets.json'),
      );
      assert.deepEqual(await snapshot(b.dir), before);
      assert.deepEqual(createNodeSetsStore(b.db).disabled().map((s) => s.id), ['node-red/exec']);

      // An archive from before node sets were backed up: the target keeps the sets it has off.
      delete opened.entries['node-sets.json'];
      await writeFile(forgedPath, await sealArchive(opened, PASS, { scryptCost: COST }));
      createNodeSetsStore(b.db).setDisabled(['node-red/watch'], true, { username: 'bob', at: 8 });
      await restoreBackup({ userDir: b.dir, file: forgedPath, passphrase: PASS, by: 't' }, { db: b.db, audit: b.audit });
      assert.deepEqual(createNodeSetsStore(b.db).disabled().map((s) => s.id), ['node-red/exec', 'node-red/watch']);
      await rm(forgedPath, { force: true });
    } finally {
      b.db.close();
      await rm(b.dir, { recursive: true, force: true });
    }
  });

  it('refuses while Redoubt runs on the directory, changing nothing', async () => {
    const b = await makeInstall();
    const lock = await acquireRunLock(b.dir, { pid: 4242, isAlive: () => true });
    try {
      const before = await snapshot(b.dir);
      await assert.rejects(
        restoreBackup({ userDir: b.dir, file: archivePath, passphrase: PASS, by: 't' }, { db: b.db, audit: b.audit, runLock: { isAlive: (pid) => pid === 4242 } }),
        (e: unknown) => e instanceof RedoubtError && e.code === 'already_running' && /pid 4242/.test(e.message),
      );
      assert.deepEqual(await snapshot(b.dir), before);
    } finally {
      await lock.release();
      b.db.close();
      await rm(b.dir, { recursive: true, force: true });
    }
  });

  it('keeps the newest N archives and audits scheduled runs and failures', async () => {
    const dir = join(a.dir, 'sched');
    let tick = 0;
    const times = { now: () => Date.UTC(2026, 1, 1) + tick++ * 60_000 };
    const logs: string[] = [];
    let fail = false;
    const scheduler = createBackupScheduler(
      { intervalMs: parseBackupInterval('24h'), retain: 3, dir },
      {
        runBackup: async () => {
          if (fail) throw new RedoubtError('write_failed', 'disk full');
          return (await createBackup({ userDir: a.dir, passphrase: PASS, dir, redoubtVersion: '1', by: 'scheduler', scryptCost: COST }, { db: a.db, audit: a.audit, clock: times })).path;
        },
        audit: a.audit,
        log: (level, m) => void logs.push(`${level} ${m}`),
        setInterval: () => ({}),
        clearInterval: () => undefined,
      },
    );
    scheduler.start();
    for (let i = 0; i < 5; i++) await scheduler.runNow();
    const kept = (await readdir(dir)).sort();
    assert.deepEqual(kept, ['redoubt-20260201T000200000Z.rdbk', 'redoubt-20260201T000300000Z.rdbk', 'redoubt-20260201T000400000Z.rdbk']);
    assert.equal(a.audit.list({ event: 'backup.prune' }).length, 2);
    fail = true;
    await scheduler.runNow();
    assert.equal(a.audit.list({ event: 'backup.failed' }).at(-1)!.details!.error, 'disk full');
    assert.match(logs.at(-1)!, /^error scheduled backup failed/);
    await scheduler.stop();
    await writeFile(join(dir, 'notes.txt'), 'mine');
    assert.deepEqual(await pruneBackups(dir, 1), ['redoubt-20260201T000200000Z.rdbk', 'redoubt-20260201T000300000Z.rdbk']);
    assert.ok((await readdir(dir)).includes('notes.txt'), 'other files are left alone');
  });

  it('reads schedule intervals and refuses bad ones naming the setting', () => {
    assert.equal(parseBackupInterval('30m'), 1_800_000);
    assert.equal(parseBackupInterval('7d'), 604_800_000);
    for (const bad of ['1m', 'daily', '24', '0h']) assert.throws(() => parseBackupInterval(bad), /backups\.schedule/);
  });

  it('refuses a short passphrase', async () => {
    await assert.rejects(sealArchive({ createdAt: 0, redoubtVersion: '1', entries: {} }, 'short'), /at least 12/);
  });
});
