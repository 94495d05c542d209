import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, type PeerCertificate } from 'node:tls';
import { runTlsCommand } from '../cli/tls-command.js';
import { createTlsReloader, readTlsMaterial, type TlsReloader } from '../security/tls/index.js';
import { startTestServer, type TestServer } from './testing/test-server.js';

const io = () => {
  const out: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s), env: {} }, out };
};

async function makeCert(userDir: string, force = false): Promise<string> {
  const { io: cmdIo, out } = io();
  const code = await runTlsCommand(['self-signed', '--user-dir', userDir, '--name', 'localhost', '--ip', '127.0.0.1', ...(force ? ['--force'] : [])], cmdIo);
  assert.equal(code, 0, out.join(''));
  return readFile(join(userDir, 'tls', 'cert.pem'), 'utf8');
}

/** The certificate a fresh TLS connection is shown (its fingerprint), or the handshake error. */
function handshake(port: number, options: { minVersion?: 'TLSv1' | 'TLSv1.2'; maxVersion?: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; ca?: string } = {}): Promise<{ fingerprint: string; protocol: string | null } | { error: string }> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      rejectUnauthorized: options.ca !== undefined,
      ca: options.ca,
      minVersion: options.minVersion,
      maxVersion: options.maxVersion,
      // Let the client offer old protocols at all (OpenSSL 3's default level refuses to).
      ciphers: options.maxVersion === 'TLSv1.1' ? 'DEFAULT@SECLEVEL=0' : undefined,
    });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate() as PeerCertificate;
      resolve({ fingerprint: cert.fingerprint256, protocol: socket.getProtocol() });
      socket.end();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

function get(url: string, ca?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const isHttps = url.startsWith('https:');
    const req = (isHttps ? httpsRequest : httpRequest)(url, { ca, agent: false, servername: 'localhost' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTPS with a certificate made by `redoubt tls self-signed`', () => {
  let t: TestServer;
  let certDir: string;
  let ca: string;
  let reloader: TlsReloader;
  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'redoubt-tls-'));
    ca = await makeCert(certDir);
    const material = await readTlsMaterial({ certFile: join(certDir, 'tls', 'cert.pem'), keyFile: join(certDir, 'tls', 'key.pem') });
    t = await startTestServer({ tls: material, httpsRedirectPort: 0 });
    reloader = await createTlsReloader(
      { certFile: join(certDir, 'tls', 'cert.pem'), keyFile: join(certDir, 'tls', 'key.pem'), pollMs: 3_600_000 },
      { onReload: (m) => t.server.http.setSecureContext(m), log: () => undefined },
    );
  });
  after(async () => {
    reloader.close();
    await t.close();
  });

  it('names localhost and 127.0.0.1 in the certificate, and the key file is 0600', async () => {
    const x509 = new X509Certificate(ca);
    assert.match(x509.subjectAltName ?? '', /DNS:localhost/);
    assert.match(x509.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    const { stat } = await import('node:fs/promises');
    assert.equal((await stat(join(certDir, 'tls', 'key.pem'))).mode & 0o777, 0o600);
  });

  it('accepts TLS 1.2 (and the client verifies the certificate by its SANs)', async () => {
    const result = await handshake(t.port, { maxVersion: 'TLSv1.2', ca });
    assert.ok('protocol' in result, JSON.stringify(result));
    assert.equal(result.protocol, 'TLSv1.2');
  });

  it('refuses TLS 1.1 and audits the refused handshake', async () => {
    const result = await handshake(t.port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
    assert.ok('error' in result, `TLS 1.1 was accepted: ${JSON.stringify(result)}`);
    // The server side notices after the client; wait for its record.
    for (let i = 0; i < 100 && t.server.network.refusals.stats().byReason.bad_tls === undefined; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok((t.server.network.refusals.stats().byReason.bad_tls ?? 0) >= 1);
    const record = t.stack.audit.list({ event: 'request.refused', limit: 100 }).find((r) => r.details?.code === 'bad_tls');
    assert.ok(record, 'no audit record of the bad handshake');
    assert.match(String(record.address), /127\.0\.0\.1/);
  });

  it('sends HSTS over HTTPS', async () => {
    const res = await get(`https://127.0.0.1:${t.port}/settings`, ca);
    assert.equal(res.status, 401);
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000');
    assert.match(String(res.headers['content-security-policy']), new RegExp(`wss://127\\.0\\.0\\.1:${t.port}`));
  });

  it('redirects plain HTTP to HTTPS on the same host and path', async () => {
    const res = await get(`http://127.0.0.1:${t.server.redirect!.port}/flows?x=1`);
    assert.equal(res.status, 308);
    assert.equal(res.headers.location, `https://127.0.0.1:${t.port}/flows?x=1`);
    assert.equal(res.headers['strict-transport-security'], undefined);
  });

  it('serves a replaced certificate to new connections after the files change', async () => {
    const before = await handshake(t.port);
    assert.ok('fingerprint' in before);
    const next = await makeCert(certDir, true);
    // fs.watch may have loaded it already; check() then finds nothing new, either way it is in.
    await reloader.check();
    const after = await handshake(t.port, { ca: next });
    assert.ok('fingerprint' in after, JSON.stringify(after));
    assert.equal(after.fingerprint, new X509Certificate(next).fingerprint256);
    assert.notEqual(after.fingerprint, before.fingerprint);
    const stillOk = await handshake(t.port, { maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
    assert.ok('error' in stillOk, 'the reloaded context must keep TLS 1.2 as the minimum');
  });
});
