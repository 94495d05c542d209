import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createVault } from '../security/credential-vault.js';
import { createPasswordHasher } from '../security/passwords.js';
import { createKeyFileSource, createSecondFactor } from '../security/second-factor.js';
import { base32Decode, totpCode } from '../security/totp.js';
import { createAuditLog } from '../security/audit-log.js';
import { createAuditStore } from '../storage/audit-store.js';
import { openDatabase } from '../storage/database.js';
import { createSecondFactorStore } from '../storage/second-factor-store.js';
import { createUserStore } from '../storage/users-store.js';
import { runBackupCommand } from './backup-command.js';
import { startRedoubt, type Started } from './start.js';
import type { UserCommandIo } from './user-command.js';

const PASSWORD = 'a long and good password 4';
const BACKUP_KEY = 'the backup passphrase 2026';
const FLOWS = [
  { id: 't1', type: 'tab', label: 'Line 1' },
  { id: 'i1', type: 'inject', z: 't1', name: 'tick', wires: [['d1']] },
  { id: 'd1', type: 'debug', z: 't1', wires: [] },
];

function io(env: Record<string, string | undefined> = { REDOUBT_BACKUP_KEY: BACKUP_KEY }, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const value: UserCommandIo = { out: (t) => void out.push(t), err: (t) => void err.push(t), env, readStdin: async () => stdin };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}

async function http(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, init);
}

async function login(base: string, fields: Record<string, string>): Promise<Response> {
  return http(`${base}auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', ...fields }).toString(),
  });
}

describe('redoubt backup / restore', () => {
  let src: string;
  let dst: string;
  let secret: Buffer;
  let started: Started | undefined;

  before(async () => {
    src = await mkdtemp(join(tmpdir(), 'redoubt-bk-src-'));
    dst = await mkdtemp(join(tmpdir(), 'redoubt-bk-dst-'));
    await writeFile(join(src, 'redoubt.yaml'), 'port: 0\nflowFile: plant.json\nbackups:\n  schedule: "off"\n');
    await writeFile(join(src, 'plant.json'), JSON.stringify(FLOWS));
    await createVault({ userDir: src, env: {} }).save({ i1: { apiKey: 'line-1-secret' } });
    const db = openDatabase(join(src, 'redoubt.db'));
    const users = createUserStore(db);
    users.create({ username: 'ann', role: 'admin', passwordHash: await createPasswordHasher().hash(PASSWORD), createdAt: 1, passwordChangedAt: 1 });
    const clock = { now: Date.now };
    const twoFactor = createSecondFactor({}, { store: createSecondFactorStore(db), users, audit: createAuditLog({ store: createAuditStore(db) }, { clock }), clock, key: createKeyFileSource(join(src, 'second-factor.key')) });
    secret = base32Decode((await twoFactor.beginEnrolment({ username: 'ann', by: 'test' })).secret);
    await twoFactor.confirmEnrolment({ username: 'ann', code: totpCode(secret, Date.now() - 30_000), by: 'test' });
    db.close();
  });
  after(async () => {
    await started?.stop();
    await rm(src, { recursive: true, force: true });
    await rm(dst, { recursive: true, force: true });
  });

  it('refuses without a passphrase, or with a short one', async () => {
    const none = io({});
    assert.equal(await runBackupCommand('backup', ['--user-dir', src], none.io), 1);
    assert.match(none.err(), /REDOUBT_BACKUP_KEY/);
    const short = io({}, 'short\n');
    assert.equal(await runBackupCommand('backup', ['--user-dir', src, '--passphrase-stdin'], short.io), 1);
    assert.match(short.err(), /at least 12/);
  });

  it('backs up, restores onto a fresh directory, and that starts as the same installation', async () => {
    const out = join(src, 'plant.rdbk');
    const backup = io();
    assert.equal(await runBackupCommand('backup', ['--user-dir', src, '--out', out], backup.io), 0, backup.err());
    assert.match(backup.out(), /backup written to .*plant\.rdbk/);

    const restore = io({}, `${BACKUP_KEY}\n`);
    assert.equal(await runBackupCommand('restore', [out, '--user-dir', dst, '--passphrase-stdin'], restore.io), 0, restore.err());
    assert.match(restore.out(), /3 flow nodes, 1 users \(1 with a second factor\)/);
    assert.ok(!(await readdir(dst)).includes('credential.key'), 'the key never travels with the backup');

    // The keys are given separately, as an operator would bring them.
    await copyFile(join(src, 'credential.key'), join(dst, 'credential.key'));
    await copyFile(join(src, 'second-factor.key'), join(dst, 'second-factor.key'));
    started = await startRedoubt({ userDir: dst, write: () => undefined, env: {} });
    const noCode = await login(started.url, { username: 'ann', password: PASSWORD });
    assert.equal(noCode.status, 401, 'the second factor came along');
    const ok = await login(started.url, { username: 'ann', password: PASSWORD, otp: totpCode(secret, Date.now() + 30_000) });
    assert.equal(ok.status, 200);
    const { access_token: token } = (await ok.json()) as { access_token: string };
    const flows = (await (await http(`${started.url}flows`, { headers: { authorization: `Bearer ${token}`, 'Node-RED-API-Version': 'v2' } })).json()) as { flows: Array<Record<string, unknown>> };
    assert.deepEqual(flows.flows.map((n) => n.id), ['t1', 'i1', 'd1']);
    assert.equal(flows.flows[1]!.name, 'tick');
    assert.deepEqual(await createVault({ userDir: dst, env: {} }).load(), { i1: { apiKey: 'line-1-secret' } });
    assert.equal(await readFile(join(dst, 'redoubt.yaml'), 'utf8'), await readFile(join(src, 'redoubt.yaml'), 'utf8'));
  });

  it('refuses to restore while Redoubt runs there, and changes nothing', async () => {
    assert.ok(started, 'the previous test started the restored installation');
    const before = await readFile(join(dst, 'plant.json'), 'utf8');
    const restore = io();
    assert.equal(await runBackupCommand('restore', [join(src, 'plant.rdbk'), '--user-dir', dst], restore.io), 1);
    assert.match(restore.err(), /running .*stop it before restoring; nothing was changed/);
    assert.equal(await readFile(join(dst, 'plant.json'), 'utf8'), before);
  });

  it('refuses a tampered archive with the reason and leaves the directory alone', async () => {
    await started?.stop();
    started = undefined;
    const bytes = JSON.parse(await readFile(join(src, 'plant.rdbk'), 'utf8'));
    const data = Buffer.from(bytes.data, 'base64');
    data[data.length - 1] = data[data.length - 1]! ^ 0x80;
    const tampered = join(src, 'tampered.rdbk');
    await writeFile(tampered, JSON.stringify({ ...bytes, data: data.toString('base64') }));
    const before = await readdir(dst);
    const restore = io();
    assert.equal(await runBackupCommand('restore', [tampered, '--user-dir', dst], restore.io), 1);
    assert.match(restore.err(), /wrong passphrase, or the file was altered/);
    assert.deepEqual(await readdir(dst), before);
  });
});
