import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { rawRequest, startTestServer, type TestServer } from './testing/test-server.js';

const z = 'fz';
const answer = (id: string, url: string, method: string, text: string) => [
  { id, type: 'http in', z, url, method, wires: [[`${id}c`]] },
  { id: `${id}c`, type: 'change', z, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: text, tot: 'str' }], wires: [['resp']] },
];
const FLOWS = [
  { id: z, type: 'tab', label: 'fast path' },
  { id: 'resp', type: 'http response', z, statusCode: '', headers: {}, wires: [] },
  ...answer('a1', '/flows', 'get', 'http-in GET /flows'),
  ...answer('a2', '/flows', 'patch', 'http-in PATCH /flows'),
  ...answer('a3', '/settings/extra', 'get', 'http-in settings/extra'),
  ...answer('a4', '/page.html', 'get', 'http-in page'),
  { id: 'e1', type: 'http in', z, url: '/echo', method: 'get', wires: [['resp']] },
  { id: 'e2', type: 'http in', z, url: '/echo', method: 'post', wires: [['resp']] },
];

describe('http-in requests served before the admin app (roots shared at /)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    await mkdir(join(t.userDir, 'editor'), { recursive: true });
    await writeFile(join(t.userDir, 'editor', 'page.html'), '<p>editor page</p>');
    const res = await t.call('POST', '/flows', { role: 'admin', body: { flows: FLOWS }, headers: { 'node-red-api-version': 'v2' } });
    assert.equal(res.status, 200, res.text);
  });
  after(() => t.close());

  it('lets an admin route win over an http-in endpoint on the same method and path', async () => {
    const anonymous = await t.call('GET', '/flows');
    assert.equal(anonymous.status, 401);
    const viewer = await t.call('GET', '/flows', { role: 'viewer' });
    assert.equal(viewer.status, 200);
    assert.ok(Array.isArray(viewer.json()), 'the admin API answered with the flows (API v1)');
  });

  it('serves the endpoint where the admin side answers another method or no such path', async () => {
    assert.equal((await t.call('PATCH', '/flows')).text, 'http-in PATCH /flows');
    assert.equal((await t.call('GET', '/settings/extra')).text, 'http-in settings/extra');
  });

  it('lets an editor file win over an http-in endpoint on its path', async () => {
    const res = await t.call('GET', '/page.html');
    assert.equal(res.status, 200);
    assert.equal(res.text, '<p>editor page</p>');
  });

  it('sends nosniff but none of the admin headers on http-in responses; admin responses keep them', async () => {
    const res = await t.call('GET', '/echo?a=1');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { a: '1' });
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    for (const name of ['content-security-policy', 'x-frame-options', 'cache-control', 'referrer-policy', 'x-powered-by', 'access-control-allow-origin']) {
      assert.equal(res.headers[name], undefined, name);
    }
    const admin = await t.call('GET', '/settings', { role: 'viewer' });
    assert.match(String(admin.headers['content-security-policy']), /default-src 'none'/);
  });

  it('passes bodies of every kind to the flow and refuses an oversized one with 413', async () => {
    const text = await t.call('POST', '/echo', { raw: 'plain words', headers: { 'content-type': 'text/plain' } });
    assert.equal(text.text, 'plain words');
    const json = await t.call('POST', '/echo', { body: { x: [1, 2] } });
    assert.deepEqual(json.json(), { x: [1, 2] });
    const big = await t.call('POST', '/echo', { raw: 'x'.repeat(6 * 1024 * 1024), headers: { 'content-type': 'text/plain' } });
    assert.equal(big.status, 413);
  });

  it('leaves query parameters named like tokens to the flow, while admin routes still refuse them', async () => {
    const endpoint = await t.call('GET', '/echo?token=webhook-secret');
    assert.equal(endpoint.status, 200);
    assert.deepEqual(endpoint.json(), { token: 'webhook-secret' });
    const admin = await t.call('GET', `/flows?access_token=${t.tokens.viewer}`);
    assert.equal(admin.status, 401);
  });

  it('answers a path no endpoint or admin route serves through the app, as before', async () => {
    const res = await rawRequest(t.port, 'GET', '/nowhere', {});
    assert.notEqual(res.status, 200);
    assert.equal(res.headers['x-powered-by'], undefined);
  });
});

/** GETs on one kept-alive connection, each with its own headers; the statuses in order. */
async function onOneConnection(port: number, path: string, headerSets: Array<Record<string, string>>): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<unknown>();
  const statuses: number[] = [];
  try {
    for (const headers of headerSets) {
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
            sockets.add(res.socket);
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end();
        }),
      );
    }
  } finally {
    agent.destroy();
  }
  assert.equal(sockets.size, 1, 'all requests went over one connection');
  return statuses;
}

describe('http-in allow-list on kept-alive connections', () => {
  const flows = [{ id: z, type: 'tab', label: 'f' }, { id: 'resp', type: 'http response', z, statusCode: '', headers: {}, wires: [] }, ...answer('h', '/hello', 'get', 'hi')];
  const refusals = (t: TestServer) => t.stack.audit.list({ event: 'request.refused', limit: 100 }).filter((r) => r.details?.code === 'ip_not_allowed');

  it('judges every request by its own forwarded client behind a trusted proxy, even on an admitted connection', async () => {
    const t = await startTestServer({ network: { trustProxy: ['127.0.0.1/32'], ipAllowList: { httpNode: ['198.51.100.0/24'] } } });
    try {
      assert.equal((await t.call('POST', '/flows', { role: 'admin', body: { flows }, headers: { 'node-red-api-version': 'v2' } })).status, 200);
      const statuses = await onOneConnection(t.port, '/hello', [{ 'x-forwarded-for': '198.51.100.7' }, { 'x-forwarded-for': '203.0.113.9' }, { 'x-forwarded-for': '198.51.100.8' }]);
      assert.deepEqual(statuses, [200, 403, 200]);
      assert.ok(refusals(t).some((r) => r.address === '203.0.113.9' && String(r.details?.route).startsWith('http-in GET /hello')));
    } finally {
      await t.close();
    }
  });

  it('sends HSTS on http-in responses that came over HTTPS through the trusted proxy, and not otherwise', async () => {
    const t = await startTestServer({ network: { trustProxy: ['127.0.0.1/32'] } });
    try {
      assert.equal((await t.call('POST', '/flows', { role: 'admin', body: { flows }, headers: { 'node-red-api-version': 'v2' } })).status, 200);
      const secure = await rawRequest(t.port, 'GET', '/hello', { 'x-forwarded-proto': 'https' });
      assert.equal(secure.text, 'hi');
      assert.match(String(secure.headers['strict-transport-security']), /^max-age=\d+$/);
      const plain = await rawRequest(t.port, 'GET', '/hello', {});
      assert.equal(plain.headers['strict-transport-security'], undefined);
    } finally {
      await t.close();
    }
  });

  it('keeps refusing, and recording, a connection from outside the list', async () => {
    const t = await startTestServer({ network: { ipAllowList: { httpNode: ['10.0.0.0/8'] } } });
    try {
      assert.equal((await t.call('POST', '/flows', { role: 'admin', body: { flows }, headers: { 'node-red-api-version': 'v2' } })).status, 200);
      assert.deepEqual(await onOneConnection(t.port, '/hello', [{}, {}]), [403, 403]);
      assert.ok(refusals(t).length >= 1);
    } finally {
      await t.close();
    }
  });
});
