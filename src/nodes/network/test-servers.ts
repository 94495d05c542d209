/**
 * Loopback servers for the network node tests: a plain HTTP server with the routes the specs
 * call, an HTTPS server with a self-signed certificate made by openssl, and a forwarding proxy
 * (absolute-URI requests and CONNECT tunnels) that counts what it carries.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Running {
  url: string;
  close(): Promise<void>;
}

function listen(server: Server | https.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closer(server: Server | https.Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** Checks a Digest Authorization header against user 'dave', password 'secret', realm 'test'. */
function digestOk(header: string | undefined, method: string): boolean {
  if (!header?.startsWith('Digest ')) return false;
  const f: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) f[m[1]!] = m[2] ?? m[3] ?? '';
  const ha1 = md5(`dave:test:secret`);
  const ha2 = md5(`${method}:${f.uri}`);
  return f.username === 'dave' && f.nonce === 'n0nce' && f.response === md5(`${ha1}:${f.nonce}:${f.nc}:${f.cnonce}:${f.qop}:${ha2}`);
}

export async function startTestServer(): Promise<Running & { hits: Map<string, number>; connections(): number }> {
  const hits = new Map<string, number>();
  let connections = 0;
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const body = await readAll(req);
    switch (url.pathname) {
      case '/text':
        res.setHeader('content-type', 'text/plain');
        return res.end('hello');
      case '/json':
        res.setHeader('content-type', 'application/json');
        return res.end('{"a":1,"b":[true]}');
      case '/badjson':
        return res.end('{not json');
      case '/bin':
        return res.end(Buffer.from([0, 1, 2, 255]));
      case '/echo':
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString('utf8') }));
      case '/status':
        res.statusCode = Number(url.searchParams.get('code') ?? 200);
        return res.end(url.searchParams.get('body') ?? '');
      case '/basic': {
        const ok = req.headers.authorization === `Basic ${Buffer.from('dave:secret').toString('base64')}`;
        res.statusCode = ok ? 200 : 401;
        return res.end(ok ? 'welcome' : 'denied');
      }
      case '/bearer': {
        const ok = req.headers.authorization === 'Bearer t0ken';
        res.statusCode = ok ? 200 : 401;
        return res.end(ok ? 'welcome' : 'denied');
      }
      case '/digest':
        if (digestOk(req.headers.authorization, req.method ?? 'GET')) return res.end('welcome');
        res.statusCode = 401;
        res.setHeader('www-authenticate', 'Digest realm="test", qop="auth", nonce="n0nce", opaque="op"');
        return res.end('denied');
      case '/redirect':
        res.statusCode = Number(url.searchParams.get('code') ?? 302);
        res.setHeader('location', url.searchParams.get('to') ?? '/echo');
        res.setHeader('set-cookie', 'session=abc; Path=/; HttpOnly');
        return res.end();
      case '/loop':
        res.statusCode = 302;
        res.setHeader('location', '/loop');
        return res.end();
      case '/cookies':
        res.setHeader('set-cookie', ['a=1; Path=/; HttpOnly', 'b=two%20words; Max-Age=60']);
        return res.end('ok');
      case '/nocontent':
        res.statusCode = 204;
        return res.end();
      case '/slow':
        return; // never answers: the client's timeout decides
      default:
        res.statusCode = 404;
        return res.end('not found');
    }
  };
  const server = http.createServer((req, res) => void handler(req, res));
  server.on('connection', () => connections++);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, hits, connections: () => connections, close: closer(server) };
}

export interface Certificate {
  dir: string;
  /** The key and certificate as a PKCS#12 bundle, protected by the passphrase 'p12pass'. */
  p12Path: string;
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
  remove(): void;
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with the openssl command. */
export function makeCertificate(): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  const p12Path = join(dir, 'bundle.p12');
  execFileSync('openssl', ['pkcs12', '-export', '-in', certPath, '-inkey', keyPath, '-out', p12Path, '-passout', 'pass:p12pass'], { stdio: 'ignore' });
  return {
    dir, certPath, keyPath, p12Path,
    cert: readFileSync(certPath, 'utf8'),
    key: readFileSync(keyPath, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function startTlsServer(cert: Certificate): Promise<Running> {
  const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ secure: true, path: req.url }));
  });
  const port = await listen(server);
  return { url: `https://127.0.0.1:${port}`, close: closer(server) };
}

export interface Proxy extends Running {
  /** Absolute-URI requests and CONNECT tunnels carried, with the Proxy-Authorization each had. */
  readonly seen: Array<{ kind: 'forward' | 'connect'; target: string; auth?: string }>;
}

/** A forwarding proxy; with `auth`, it answers 407 unless Proxy-Authorization matches. */
export async function startProxy(auth?: string): Promise<Proxy> {
  const seen: Proxy['seen'] = [];
  // Tunnelled sockets leave the HTTP server's bookkeeping; close them ourselves.
  const tunnels = new Set<net.Socket>();
  const allowed = (header: string | undefined) => !auth || header === `Basic ${Buffer.from(auth).toString('base64')}`;
  const server = http.createServer((req, res) => {
    seen.push({ kind: 'forward', target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    if (!allowed(req.headers['proxy-authorization'])) {
      res.statusCode = 407;
      return res.end();
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = http.request(req.url!, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, { ...up.headers, 'x-via-proxy': 'yes' });
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.statusCode = 502;
      res.end();
    });
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, socket: net.Socket, head: Buffer) => {
    seen.push({ kind: 'connect', target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    if (!allowed(req.headers['proxy-authorization'])) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    tunnels.add(socket);
    const upstream = net.connect(Number(port), host!, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  const port = await listen(server);
  const close = closer(server);
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      for (const s of tunnels) s.destroy();
      return close();
    },
  };
}
