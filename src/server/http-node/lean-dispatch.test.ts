import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpNodeRouter, type DispatchHooks, type HttpNodeRouter, type HttpNodeRouterOptions } from './index.js';

const servers: Server[] = [];

interface Served {
  url: string;
  port: number;
  router: HttpNodeRouter;
  /** How each request was served, in order: 'fast' by dispatch, 'app' by the fallback app. */
  ways: string[];
}

/** A server as redoubt-server builds one: the router's classes, dispatch first, an "app" for the rest. */
async function serve(options: HttpNodeRouterOptions = {}, hooks: Partial<DispatchHooks> = {}, useClasses = true): Promise<Served> {
  const router = createHttpNodeRouter(options);
  const ways: string[] = [];
  const app = (req: IncomingMessage, res: ServerResponse) => {
    ways.push('app');
    router.handler(req, res, () => {
      res.statusCode = 404;
      res.end('app 404');
    });
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (router.dispatch(req, res, { fallback: app, ...hooks })) ways.push('fast');
    else app(req, res);
  };
  const server = useClasses ? createServer({ ...router.classes }, listener) : createServer(listener);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, router, ways };
}

/** A request with the path sent exactly as written. */
function raw(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('http-in dispatch before express', () => {
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('serves a matched route itself, with express request and response methods in place', async () => {
    const { url, router, ways } = await serve({ root: '/api', responseHeaders: { 'X-Content-Type-Options': 'nosniff' } });
    router.endpoints.route('get', '/hello/:name', (req, res) => {
      const r = req as unknown as { baseUrl: string; originalUrl: string; url: string; path: string; app: unknown };
      res.status(202).json({ params: { ...req.params }, query: req.query, baseUrl: r.baseUrl, originalUrl: r.originalUrl, url: r.url, path: r.path, hasApp: r.app === router.app });
    });
    const res = await fetch(`${url}/API/hello/w%20x?a[b]=1`);
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { params: { name: 'w x' }, query: { a: { b: '1' } }, baseUrl: '/API', originalUrl: '/API/hello/w%20x?a[b]=1', url: '/hello/w%20x?a[b]=1', path: '/hello/w%20x', hasApp: true });
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-powered-by'), null);
    assert.deepEqual(ways, ['fast']);
  });

  it('gives the same answer to plain node requests (no router classes), converting them', async () => {
    const { url, router, ways } = await serve({}, {}, false);
    router.endpoints.route('get', '/c', (req, res) => res.cookie('k', 'v').send(`cookie ${req.cookies.a}`));
    const res = await fetch(`${url}/c`, { headers: { cookie: 'a=1' } });
    assert.equal(await res.text(), 'cookie 1');
    assert.equal(res.headers.get('set-cookie'), 'k=v; Path=/');
    assert.deepEqual(ways, ['fast']);
  });

  it('leaves to the app what no route answers, what stepAside claims, and unusual URLs', async () => {
    const claimed: string[] = [];
    const { port, router, ways } = await serve({}, { stepAside: (method, path) => (claimed.push(`${method} ${path}`), path === '/admin-owned') });
    router.endpoints.route('get', '/admin-owned', (_req, res) => res.send('endpoint'));
    router.endpoints.route('get', '/mine', (_req, res) => res.send('endpoint'));
    assert.equal((await raw(port, 'GET', '/other')).text, 'app 404');
    assert.equal((await raw(port, 'POST', '/mine')).text, 'app 404');
    assert.equal((await raw(port, 'GET', '/admin-owned')).text, 'endpoint');
    assert.equal((await raw(port, 'GET', '/mine#frag')).text, 'endpoint');
    assert.equal((await raw(port, 'GET', '/mine')).text, 'endpoint');
    assert.deepEqual(ways, ['app', 'app', 'app', 'app', 'fast']);
    assert.deepEqual(claimed, ['GET /admin-owned', 'GET /mine']);
  });

  it('takes nothing when httpNodeMiddleware is set, which the app then runs', async () => {
    let ran = 0;
    const { url, router, ways } = await serve({ middleware: (_req: unknown, _res: unknown, next: () => void) => (ran++, next()) });
    router.endpoints.route('get', '/m', (_req, res) => res.send('ok'));
    assert.equal(await (await fetch(`${url}/m`)).text(), 'ok');
    assert.equal(ran, 1);
    assert.deepEqual(ways, ['app']);
  });

  it('runs prepare before the guards, and refuses through the allow-list', async () => {
    const order: string[] = [];
    const { url, router } = await serve(
      { isAllowed: () => (order.push('allow-list'), false) },
      { prepare: (_req, res) => (order.push('prepare'), res.setHeader('Strict-Transport-Security', 'max-age=1')) },
    );
    router.endpoints.route('get', '/x', () => assert.fail('a refused request must not reach the route'));
    const res = await fetch(`${url}/x`);
    assert.equal(res.status, 403);
    assert.equal(await res.text(), 'Forbidden');
    assert.equal(res.headers.get('strict-transport-security'), 'max-age=1');
    assert.deepEqual(order, ['prepare', 'allow-list']);
  });

  it('hands the request back to the app, URL as it came, when its route goes away during authentication', async () => {
    let unregister: (() => void) | undefined;
    const { url, router, ways } = await serve({
      root: '/n',
      auth: { user: 'u', pass: 'hash' },
      verifyPassword: async () => {
        unregister?.();
        return true;
      },
    });
    unregister = router.endpoints.route('get', '/gone', () => assert.fail('the removed route must not answer'));
    const res = await fetch(`${url}/n/gone?q=1`, { headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` } });
    assert.equal(res.status, 404);
    assert.equal(await res.text(), 'app 404');
    assert.deepEqual(ways, ['fast', 'app']);
  });

  it('reads a text body that arrived while an asynchronous guard ran', async () => {
    const { url, router } = await serve({ auth: { user: 'u', pass: 'hash' }, verifyPassword: async () => new Promise((r) => setTimeout(() => r(true), 20)) });
    router.endpoints.route('post', '/t', (req, res) => res.send(`got ${String(req.body)}`));
    const res = await fetch(`${url}/t`, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Basic ${Buffer.from('u:p').toString('base64')}` }, body: 'hello' });
    assert.equal(await res.text(), 'got hello');
  });

  it('answers 400 to a parameter with broken percent-encoding, and tells the route', async () => {
    const errors: unknown[] = [];
    const { port, router } = await serve();
    router.endpoints.route('get', '/u/:id', () => assert.fail('must not run'), { onError: (err) => errors.push(err) });
    assert.equal((await raw(port, 'GET', '/u/%E0%A4%A')).status, 400);
    assert.equal(errors.length, 1);
  });

  it('answers OPTIONS with the methods the path is served with', async () => {
    const { port, router } = await serve();
    router.endpoints.route('get', '/o', (_req, res) => res.end());
    router.endpoints.route('post', '/o', (_req, res) => res.end());
    const res = await raw(port, 'OPTIONS', '/o');
    assert.equal(res.status, 200);
    assert.equal(res.headers.allow, 'GET, HEAD, POST');
    assert.equal(res.text, 'GET, HEAD, POST');
    assert.equal((await raw(port, 'OPTIONS', '/none')).text, 'app 404');
  });

  it('answers HEAD through a GET route without a body', async () => {
    const { port, router } = await serve();
    router.endpoints.route('get', '/h', (_req, res) => res.send('body'));
    const res = await raw(port, 'HEAD', '/h');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], '4');
    assert.equal(res.text, '');
  });
});
