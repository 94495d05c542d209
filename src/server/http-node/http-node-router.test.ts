import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcryptjs';
import WebSocket, { WebSocketServer } from 'ws';
import { ConfigError } from '../../errors/index.js';
import { createHttpNodeRouter, httpNodeRouterOptions, type HttpNodeRouter, type HttpNodeRouterOptions } from './index.js';
import { parseByteSize } from './byte-size.js';
import { parseCookieHeader } from './cookies.js';
import { toExpress5Path } from './route-path.js';

const HASH = bcrypt.hashSync('s3cret-pass', 4);
const servers: Server[] = [];

/** A loopback server in front of a router; routes answer with what they received. */
async function serve(options: HttpNodeRouterOptions = {}): Promise<{ url: string; router: HttpNodeRouter }> {
  const router = createHttpNodeRouter(options);
  const server = createServer((req, res) => router.handler(req, res, () => res.writeHead(404).end('outside')));
  server.on('upgrade', (req, socket, head) => {
    if (!router.handleUpgrade(req, socket, head)) socket.destroy();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, router };
}

const ok = (router: HttpNodeRouter, path = '/thing', method: 'get' | 'post' = 'get') =>
  router.endpoints.route(method, path, (req, res) => res.status(200).json({ body: req.body ?? null, cookies: req.cookies }));

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('http-node router', () => {
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });
  after(() => undefined);

  it('serves routes under the root and passes other paths on', async () => {
    const { url, router } = await serve({ root: '/api/' });
    ok(router);
    assert.equal((await fetch(`${url}/api/thing`)).status, 200);
    assert.equal(await (await fetch(`${url}/thing`)).text(), 'outside');
    assert.equal((await fetch(`${url}/api/other`)).status, 404);
  });

  it('sends no X-Powered-By and no CORS headers by default', async () => {
    const { url, router } = await serve();
    ok(router);
    const res = await fetch(`${url}/thing`, { headers: { origin: 'http://evil.example' } });
    assert.equal(res.headers.get('x-powered-by'), null);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${url}/thing`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  });

  it('answers the first route registered for a path, and the next one after unregistering', async () => {
    const { url, router } = await serve();
    const first = router.endpoints.route('get', '/dup', (_req, res) => res.send('first'));
    router.endpoints.route('get', '/dup', (_req, res) => res.send('second'));
    assert.equal(await (await fetch(`${url}/dup`)).text(), 'first');
    first();
    first();
    assert.equal(await (await fetch(`${url}/dup`)).text(), 'second');
  });

  it('serves routes contrib nodes add to the app (RED.httpNode) after the endpoints, behind the same guards', async () => {
    const { url, router } = await serve({ root: '/n', auth: { user: 'flow', pass: HASH } });
    router.app.get('/contrib', (_req, res) => res.send('contrib'));
    ok(router, '/thing');
    assert.equal((await fetch(`${url}/n/contrib`)).status, 401);
    const res = await fetch(`${url}/n/contrib`, { headers: { authorization: basic('flow', 's3cret-pass') } });
    assert.equal(await res.text(), 'contrib');
    router.app.get('/explode', () => {
      throw new Error('contrib internals');
    });
    const boom = await fetch(`${url}/n/explode`, { headers: { authorization: basic('flow', 's3cret-pass') } });
    assert.equal(boom.status, 500);
    assert.doesNotMatch(await boom.text(), /contrib internals/);
  });

  it('refuses an invalid route path with invalid_route', async () => {
    const { router } = await serve();
    assert.throws(() => router.endpoints.route('get', '/a/:', () => undefined), (err: any) => err.code === 'invalid_route');
    assert.throws(() => router.endpoints.route('get', '/a/(x', () => undefined), (err: any) => err.code === 'invalid_route');
  });

  describe('httpNodeAuth', () => {
    it('asks for credentials, refuses wrong ones alike and accepts the right ones', async () => {
      const { url, router } = await serve({ auth: { user: 'flow', pass: HASH } });
      ok(router);
      const none = await fetch(`${url}/thing`);
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Basic realm="Authorization Required"');
      const wrongPass = await fetch(`${url}/thing`, { headers: { authorization: basic('flow', 'nope') } });
      const wrongUser = await fetch(`${url}/thing`, { headers: { authorization: basic('nobody', 's3cret-pass') } });
      assert.equal(wrongPass.status, 401);
      assert.equal(wrongUser.status, 401);
      assert.equal(await wrongPass.text(), await wrongUser.text());
      for (let i = 0; i < 2; i++) assert.equal((await fetch(`${url}/thing`, { headers: { authorization: basic('flow', 's3cret-pass') } })).status, 200);
      assert.equal((await fetch(`${url}/thing`, { headers: { authorization: 'Bearer x' } })).status, 401);
    });

    it('uses the injected password verifier (scrypt hashes of the security layer)', async () => {
      const seen: string[] = [];
      const { url, router } = await serve({
        auth: { user: 'u', pass: 'scrypt$whatever' },
        verifyPassword: async (password, hash) => {
          seen.push(hash);
          return password === 'right';
        },
      });
      ok(router);
      assert.equal((await fetch(`${url}/thing`, { headers: { authorization: basic('u', 'right') } })).status, 200);
      assert.equal((await fetch(`${url}/thing`, { headers: { authorization: basic('u', 'wrong') } })).status, 401);
      assert.deepEqual(seen, ['scrypt$whatever', 'scrypt$whatever']);
    });

    it('refuses plain-text and MD5 passwords at construction, naming the setting', () => {
      assert.throws(() => createHttpNodeRouter({ auth: { user: 'u', pass: 'plaintext' } }), (err: unknown) => err instanceof ConfigError && /httpNodeAuth/.test(err.message));
      assert.throws(() => createHttpNodeRouter({ auth: { user: 'u', pass: '5f4dcc3b5aa765d61d8327deb882cf99' } }), ConfigError);
      assert.throws(() => createHttpNodeRouter({ auth: { user: '', pass: HASH } }), /'user'/);
    });

    it('guards websocket upgrades too', async () => {
      const { url, router } = await serve({ auth: { user: 'flow', pass: HASH } });
      const wss = new WebSocketServer({ noServer: true });
      router.endpoints.upgrade('/sock', (req, socket, head) => wss.handleUpgrade(req as never, socket, head, (ws) => ws.send('hi')));
      const wsUrl = `${url.replace('http', 'ws')}/sock`;
      await assert.rejects(
        new Promise((resolve, reject) => {
          const ws = new WebSocket(wsUrl);
          ws.once('open', resolve);
          ws.once('error', reject);
        }),
        /401/,
      );
      const hello = await new Promise((resolve, reject) => {
        const ws = new WebSocket(wsUrl, { headers: { authorization: basic('flow', 's3cret-pass') } });
        ws.once('message', (d) => {
          resolve(d.toString());
          ws.terminate();
        });
        ws.once('error', reject);
      });
      assert.equal(hello, 'hi');
      wss.close();
    });
  });

  describe('allow-list', () => {
    it('refuses requests and upgrades from addresses the hook rejects', async () => {
      const asked: string[] = [];
      const { url, router } = await serve({
        isAllowed: (address) => {
          asked.push(address);
          return false;
        },
      });
      ok(router);
      router.endpoints.upgrade('/sock', () => assert.fail('upgrade must not reach the handler'));
      const res = await fetch(`${url}/thing`);
      assert.equal(res.status, 403);
      assert.ok(asked.every((a) => a === '127.0.0.1' || a === '::ffff:127.0.0.1'));
      await assert.rejects(
        new Promise((resolve, reject) => {
          const ws = new WebSocket(`${url.replace('http', 'ws')}/sock`);
          ws.once('open', resolve);
          ws.once('error', reject);
        }),
        /403/,
      );
    });
  });

  describe('httpNodeCors', () => {
    it('answers preflights and adds headers to matching origins only', async () => {
      const { url, router } = await serve({ cors: { origin: ['http://good.example', /\.trusted\.example$/], methods: 'GET,POST', credentials: true, maxAge: 600 } });
      ok(router);
      const pre = await fetch(`${url}/thing`, { method: 'OPTIONS', headers: { origin: 'http://good.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-a' } });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), 'http://good.example');
      assert.equal(pre.headers.get('access-control-allow-methods'), 'GET,POST');
      assert.equal(pre.headers.get('access-control-allow-headers'), 'x-a');
      assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(pre.headers.get('access-control-max-age'), '600');
      const actual = await fetch(`${url}/thing`, { headers: { origin: 'https://a.trusted.example' } });
      assert.equal(actual.headers.get('access-control-allow-origin'), 'https://a.trusted.example');
      const other = await fetch(`${url}/thing`, { headers: { origin: 'http://evil.example' } });
      assert.equal(other.headers.get('access-control-allow-origin'), null);
    });

    it('refuses malformed cors options at construction', () => {
      assert.throws(() => createHttpNodeRouter({ cors: { origin: 42 as never } }), /httpNodeCors/);
      assert.throws(() => createHttpNodeRouter({ cors: { methods: [1] as never } }), /httpNodeCors/);
    });
  });

  it('runs httpNodeMiddleware before the routes', async () => {
    const { url, router } = await serve({
      middleware: [
        (req: any, res: any, next: any) => (req.headers['x-block'] ? res.status(418).end() : next()),
      ],
    });
    ok(router);
    assert.equal((await fetch(`${url}/thing`, { headers: { 'x-block': '1' } })).status, 418);
    assert.equal((await fetch(`${url}/thing`)).status, 200);
    assert.throws(() => createHttpNodeRouter({ middleware: 'nope' }), /httpNodeMiddleware/);
  });

  it('refuses a 100 MB body with 413 before reading it all', async () => {
    const { url, router } = await serve({ maxBodySize: '1mb' });
    let called = false;
    router.endpoints.route('post', '/up', (_req, res) => {
      called = true;
      res.end();
    });
    const huge = Buffer.alloc(100 * 1024 * 1024);
    const res = await fetch(`${url}/up`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: huge });
    assert.equal(res.status, 413);
    assert.equal(called, false);
  });

  it('refuses an oversized chunked body (no content-length) with 413', async () => {
    const { url, router } = await serve({ maxBodySize: 1000 });
    router.endpoints.route('post', '/up', (_req, res) => res.end(), { upload: true });
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(500));
        controller.close();
      },
    });
    const res = await fetch(`${url}/up`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: stream, duplex: 'half' } as RequestInit);
    assert.equal(res.status, 413);
  });

  it('answers a malformed multipart body with 400 and reports it to the route', async () => {
    const { url, router } = await serve();
    const errors: unknown[] = [];
    router.endpoints.route('post', '/up', (_req, res) => res.end(), { upload: true, onError: (e) => errors.push(e) });
    const res = await fetch(`${url}/up`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, body: 'garbage' });
    assert.equal(res.status, 400);
    assert.equal(errors.length, 1);
  });

  it('answers 500 without details when a route handler throws', async () => {
    const logged: string[] = [];
    const { url, router } = await serve({ log: (_l, m) => logged.push(m) });
    router.endpoints.route('get', '/boom', () => {
      throw new Error('secret internals');
    });
    const res = await fetch(`${url}/boom`);
    assert.equal(res.status, 500);
    assert.doesNotMatch(await res.text(), /secret internals/);
    assert.ok(logged.some((m) => /secret internals/.test(m)));
  });

  it('refuses a second websocket listener on a path and frees it on unregister', async () => {
    const { router } = await serve({ root: '/r' });
    const off = router.endpoints.upgrade('ws', () => undefined);
    assert.throws(() => router.endpoints.upgrade('/ws', () => undefined), (err: any) => err.code === 'duplicate_path');
    off();
    router.endpoints.upgrade('/ws', () => undefined);
    assert.equal(router.endpoints.fullPath('ws'), '/r/ws');
  });
});

describe('http-node settings', () => {
  it('reads Node-RED setting names, and nothing when httpNodeRoot is false', () => {
    assert.equal(httpNodeRouterOptions({ httpNodeRoot: false }), undefined);
    const options = httpNodeRouterOptions({ httpNodeRoot: '/n', apiMaxLength: '2mb', httpNodeCors: { origin: '*' } })!;
    assert.equal(options.root, '/n');
    assert.equal(options.maxBodySize, '2mb');
    assert.throws(() => httpNodeRouterOptions({ httpNodeRoot: 5 }), /httpNodeRoot/);
    assert.throws(() => httpNodeRouterOptions({ apiMaxLength: {} }), /apiMaxLength/);
    assert.throws(() => createHttpNodeRouter({ root: 'api' }), /httpNodeRoot/);
  });

  it('parses sizes as Node-RED writes them', () => {
    assert.equal(parseByteSize('5mb', 's'), 5 * 1024 * 1024);
    assert.equal(parseByteSize('1.5kb', 's'), 1536);
    assert.equal(parseByteSize(100, 's'), 100);
    assert.throws(() => parseByteSize('lots', 'apiMaxLength'), /apiMaxLength/);
    assert.throws(() => parseByteSize(-1, 'apiMaxLength'), ConfigError);
  });

  it('parses cookie headers, keeping malformed escapes', () => {
    assert.deepEqual({ ...parseCookieHeader('a=1; a=2; b="x y"; c=%E0%A4%A; d=%20') }, { a: '1', b: 'x y', c: '%E0%A4%A', d: ' ' });
    assert.deepEqual({ ...parseCookieHeader(undefined) }, {});
  });

  it('rewrites Express 4 route syntax', () => {
    assert.equal(toExpress5Path('/a/:id?'), '/a{/:id}');
    assert.equal(toExpress5Path('/files/*'), '/files/*nrWildcard0');
    assert.equal(toExpress5Path('/x/:a/:b'), '/x/:a/:b');
  });
});
