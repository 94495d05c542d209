import assert from 'node:assert/strict';
import { copyFile, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, RedoubtError } from '../../errors/index.js';
import { createSelfSignedCertificate, machineSubjectNames } from './self-signed.js';
import { readTlsMaterial } from './tls-material.js';
import { createTlsReloader } from './tls-reloader.js';

const names = { dns: ['localhost'], ip: ['127.0.0.1'] };

describe('machineSubjectNames', () => {
  it('names the host (and .local), localhost, and every address but IPv6 link-local', () => {
    const result = machineSubjectNames({
      hostname: 'Box',
      interfaces: { lo: [{ address: '127.0.0.1', family: 'IPv4' }], eth0: [{ address: '192.168.1.20', family: 'IPv4' }, { address: 'fe80::1', family: 'IPv6' }, { address: 'fd00::20', family: 'IPv6' }] },
    });
    assert.deepEqual(result.dns.sort(), ['box', 'box.local', 'localhost']);
    assert.deepEqual(result.ip.sort(), ['127.0.0.1', '192.168.1.20', '::1', 'fd00::20']);
  });
});

describe('createSelfSignedCertificate', () => {
  it('refuses to replace an existing pair without force, and refuses bad names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-tls-'));
    await createSelfSignedCertificate({ dir, names });
    await assert.rejects(createSelfSignedCertificate({ dir, names }), (err: unknown) => err instanceof RedoubtError && err.code === 'already_exists');
    await assert.rejects(createSelfSignedCertificate({ dir, names: { dns: ['bad name;rm'], ip: [] }, force: true }), ConfigError);
    await assert.rejects(createSelfSignedCertificate({ dir, names: { dns: [], ip: ['300.1.1.1'] }, force: true }), ConfigError);
  });
  it('says clearly when openssl is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-tls-'));
    const missing = () => Promise.reject(new RedoubtError('openssl_missing', 'the openssl command was not found'));
    await assert.rejects(createSelfSignedCertificate({ dir, names }, { runOpenssl: missing }), /openssl command was not found/);
  });
});

describe('readTlsMaterial', () => {
  it('names https.cert for a missing or non-PEM file and https.key for a key that does not fit', async () => {
    const a = await mkdtemp(join(tmpdir(), 'redoubt-tls-'));
    const b = await mkdtemp(join(tmpdir(), 'redoubt-tls-'));
    await createSelfSignedCertificate({ dir: a, names });
    await createSelfSignedCertificate({ dir: b, names });
    const setting = (err: unknown) => (err instanceof ConfigError ? err.place.setting : undefined);
    await assert.rejects(readTlsMaterial({ certFile: join(a, 'nope.pem'), keyFile: join(a, 'key.pem') }), (err) => setting(err) === 'https.cert');
    await writeFile(join(a, 'junk.pem'), 'hello');
    await assert.rejects(readTlsMaterial({ certFile: join(a, 'junk.pem'), keyFile: join(a, 'key.pem') }), (err) => setting(err) === 'https.cert');
    await assert.rejects(readTlsMaterial({ certFile: join(a, 'cert.pem'), keyFile: join(b, 'key.pem') }), (err) => setting(err) === 'https.key' && !/PRIVATE KEY-----/.test((err as Error).message));
    assert.ok((await readTlsMaterial({ certFile: join(a, 'cert.pem'), keyFile: join(a, 'key.pem') })).context);
  });
});

describe('createTlsReloader', () => {
  it('keeps the old pair when the new one does not load (half-written renewal), and loads it once complete', async () => {
    const live = await mkdtemp(join(tmpdir(), 'redoubt-tls-'));
    const other = await mkdtemp(join(tmpdir(), 'redoubt-tls-'));
    await createSelfSignedCertificate({ dir: live, names });
    await createSelfSignedCertificate({ dir: other, names });
    const loaded: string[] = [];
    const logs: string[] = [];
    const reloader = await createTlsReloader(
      { certFile: join(live, 'cert.pem'), keyFile: join(live, 'key.pem'), pollMs: 3_600_000 },
      { onReload: (m) => void loaded.push(m.cert.toString()), log: (level, msg) => void logs.push(`${level} ${msg}`) },
    );
    try {
      await copyFile(join(other, 'cert.pem'), join(live, 'cert.pem'));
      await reloader.check();
      assert.deepEqual(loaded, []);
      assert.ok(logs.some((l) => l.startsWith('warn ') && /previous one stays in use/.test(l)));
      await copyFile(join(other, 'key.pem'), join(live, 'key.pem'));
      await reloader.check();
      assert.equal(loaded.length, 1);
    } finally {
      reloader.close();
    }
  });

  it('does not reload when a file is rewritten with the same contents (a new mtime, the same pair)', async () => {
    const live = await mkdtemp(join(tmpdir(), 'redoubt-tls-'));
    await createSelfSignedCertificate({ dir: live, names });
    let reloads = 0;
    const reloader = await createTlsReloader(
      { certFile: join(live, 'cert.pem'), keyFile: join(live, 'key.pem'), pollMs: 3_600_000 },
      { onReload: () => void reloads++, log: () => {} },
    );
    try {
      const later = new Date(Date.now() + 60_000);
      await utimes(join(live, 'cert.pem'), later, later);
      assert.equal(await reloader.check(), false);
      assert.equal(reloads, 0);
    } finally {
      reloader.close();
    }
  });
});
