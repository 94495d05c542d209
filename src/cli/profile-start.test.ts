import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/index.js';
import type { AuditEvent, User } from '../security/index.js';
import { applyProfileAtStart } from './profile-start.js';
import { parseSettings } from './settings-file.js';
import { startRedoubt } from './start.js';

const VPS = { lo: [{ address: '127.0.0.1', family: 'IPv4' as const }], eth0: [{ address: '203.0.113.10', family: 'IPv4' as const }] };
const admin: User = { username: 'root', role: 'admin', passwordHash: 'x', createdAt: 0, passwordChangedAt: 0 };

function deps(users: User[] = [admin], without?: string[]) {
  const records: AuditEvent[] = [];
  return {
    records,
    deps: {
      audit: { record: (e: AuditEvent) => (records.push(e), { ...e, seq: 0, at: 0, prevHash: '', hash: '' }) },
      users: { list: () => users },
      adminsWithoutSecondFactor: without === undefined ? undefined : () => without,
      interfaces: () => VPS,
      resolveHost: async (host: string) => (host === 'vps.example' ? ['203.0.113.10'] : []),
    },
  };
}

describe('applyProfileAtStart', () => {
  it('refuses public on a VPS without HTTPS, allow-list or second factor, and audits each refusal', async () => {
    const settings = parseSettings('profile: public\nhost: 0.0.0.0\n');
    const { deps: d, records } = deps();
    await assert.rejects(applyProfileAtStart(settings, { userDir: '/nonexistent' }, d), (err: unknown) => err instanceof ConfigError && err.place.setting === 'https');
    assert.deepEqual(records.map((r) => r.details?.setting), ['https', 'ipAllowList.editor', 'secondFactor']);
  });
  it('lets --profile override the file, and resolves a host name against the machine', async () => {
    const settings = parseSettings('profile: public\nhost: vps.example\n');
    const { deps: d } = deps();
    await assert.rejects(applyProfileAtStart(settings, { userDir: '/x', profile: 'closed-lan' }, d), (err: unknown) => err instanceof ConfigError && err.place.setting === 'host');
  });
  it('returns and audits the warnings of private-network on loopback', async () => {
    const settings = parseSettings('profile: private-network\n');
    const { deps: d, records } = deps([], []);
    const result = await applyProfileAtStart(settings, { userDir: '/x' }, d);
    assert.equal(result.warnings.length, 2);
    assert.deepEqual(records.map((r) => r.event), ['profile.warning', 'profile.warning']);
  });
  it('refuses an https setting whose files are missing, naming https.cert', async () => {
    const settings = parseSettings('https:\n  cert: tls/cert.pem\n  key: tls/key.pem\n');
    await assert.rejects(applyProfileAtStart(settings, { userDir: await mkdtemp(join(tmpdir(), 'redoubt-')) }, deps().deps), (err: unknown) => err instanceof ConfigError && err.place.setting === 'https.cert');
  });
});

describe('settings', () => {
  it('refuses an unknown profile and a bad CIDR, naming the setting', () => {
    assert.throws(() => parseSettings('profile: cloud\n'), /profile/);
    assert.throws(() => parseSettings('ipAllowList:\n  editor: ["10.0.0.0/40"]\n'), /ipAllowList\.editor/);
    assert.throws(() => parseSettings('trustProxy: ["proxy"]\n'), /trustProxy/);
  });
});

describe('redoubt start under a profile', () => {
  it('refuses to start the local profile on 0.0.0.0 when the machine has other addresses, naming host', async (t) => {
    const userDir = await mkdtemp(join(tmpdir(), 'redoubt-start-'));
    await writeFile(join(userDir, 'redoubt.yaml'), 'host: 0.0.0.0\nport: 0\n');
    const lines: string[] = [];
    const { networkInterfaces } = await import('node:os');
    const onlyLoopback = Object.values(networkInterfaces()).flat().every((a) => a?.internal);
    if (onlyLoopback) return t.skip('this machine has loopback only');
    await assert.rejects(startRedoubt({ userDir, port: 0, write: (l) => void lines.push(l), env: { REDOUBT_CREDENTIAL_KEY: 'a test passphrase that is long' } }), (err: unknown) => err instanceof ConfigError && err.place.setting === 'host');
  });
});
