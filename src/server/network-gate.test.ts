import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { ConfigError } from '../errors/index.js';
import { rawRequest, startTestServer, type TestServer } from './testing/test-server.js';

const FLOWS = [
  { id: 'f', type: 'tab', label: 'f' },
  { id: 'in', type: 'http in', z: 'f', method: 'get', url: '/hello', wires: [['out']] },
  { id: 'out', type: 'http response', z: 'f', statusCode: '', headers: {}, wires: [] },
];

/** A GET from a chosen loopback source address (127.0.0.0/8 is all ours on Linux). */
function getFrom(t: TestServer, from: string, path: string, headers: Record<string, string> = {}, role: 'admin' | undefined = 'admin') {
  return rawRequest(t.port, 'GET', path, { ...(role ? { authorization: `Bearer ${t.tokens[role]}` } : {}), ...headers }, undefined, from);
}

function wsStatus(url: string, localAddress: string): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { localAddress });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', reject);
  });
}

const refusals = (t: TestServer) => t.stack.audit.list({ event: 'request.refused', limit: 1000 }).filter((r) => r.details?.code === 'ip_not_allowed');

describe('IP allow-lists on real connections (admin and http-in share the root /)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ network: { ipAllowList: { editor: ['127.0.0.1/32'], httpNode: ['127.0.0.0/8'] } } });
    const deployed = await t.call('POST', '/flows', { role: 'admin', body: FLOWS });
    assert.equal(deployed.status, 204);
  });
  after(() => t.close());

  it('serves the admin API to 127.0.0.1 and refuses 127.0.0.2 with 403, even with a valid admin token', async () => {
    assert.equal((await getFrom(t, '127.0.0.1', '/settings')).status, 200);
    const refused = await getFrom(t, '127.0.0.2', '/settings');
    assert.equal(refused.status, 403);
    assert.doesNotMatch(refused.text, /httpNodeRoot|version/);
    assert.ok(refusals(t).some((r) => r.address === '127.0.0.2' && r.details?.route === 'GET /settings'));
  });

  it('refuses a flow deploy from 127.0.0.2 and leaves the flows unchanged', async () => {
    const before = (await getFrom(t, '127.0.0.1', '/flows')).json();
    const res = await rawRequest(t.port, 'POST', '/flows', { authorization: `Bearer ${t.tokens.admin}`, 'content-type': 'application/json' }, '[]', '127.0.0.2');
    assert.equal(res.status, 403);
    assert.deepEqual((await getFrom(t, '127.0.0.1', '/flows')).json(), before);
  });

  it('still serves http-in endpoints to 127.0.0.2, which the http-in list allows', async () => {
    assert.equal((await getFrom(t, '127.0.0.2', '/hello', {}, undefined)).status, 200);
  });

  it('refuses the comms websocket upgrade from 127.0.0.2 and accepts it from 127.0.0.1', async () => {
    assert.equal(await wsStatus(`ws://127.0.0.1:${t.port}/comms`, '127.0.0.2'), 403);
    assert.equal(await wsStatus(`ws://127.0.0.1:${t.port}/comms`, '127.0.0.1'), 'open');
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    assert.equal((await getFrom(t, '127.0.0.2', '/settings', { 'x-forwarded-for': '127.0.0.1' })).status, 403);
  });
});

describe('IP allow-lists with separate roots and a flood', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ httpAdminRoot: '/admin', httpNodeRoot: '/api', network: { ipAllowList: { editor: ['127.0.0.1'], httpNode: ['127.0.0.1', '127.0.0.3'] } } });
    assert.equal((await t.call('POST', '/admin/flows', { role: 'admin', body: FLOWS })).status, 204);
  });
  after(() => t.close());

  it('refuses http-in from an address outside its list, and serves it to one inside', async () => {
    assert.equal((await getFrom(t, '127.0.0.2', '/api/hello', {}, undefined)).status, 403);
    assert.equal((await getFrom(t, '127.0.0.3', '/api/hello', {}, undefined)).status, 200);
    assert.equal((await getFrom(t, '127.0.0.3', '/admin/settings')).status, 403);
    assert.ok(refusals(t).some((r) => r.address === '127.0.0.2' && String(r.details?.route).startsWith('http-in GET /api/hello')));
  });

  it('counts every refusal of a flood but audits one per address per minute', async () => {
    const counted = t.server.network.refusals.stats().total;
    const audited = refusals(t).filter((r) => r.address === '127.0.0.4').length;
    for (let i = 0; i < 25; i++) assert.equal((await getFrom(t, '127.0.0.4', '/admin/flows')).status, 403);
    assert.equal(t.server.network.refusals.stats().total, counted + 25);
    assert.equal(refusals(t).filter((r) => r.address === '127.0.0.4').length, audited + 1);
  });
});

describe('trustProxy on real connections', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ network: { trustProxy: ['127.0.0.2'], ipAllowList: { editor: ['127.0.0.1', '198.51.100.7'] } } });
  });
  after(() => t.close());

  it('believes X-Forwarded-For from the trusted proxy', async () => {
    assert.equal((await getFrom(t, '127.0.0.2', '/settings', { 'x-forwarded-for': '198.51.100.7' })).status, 200);
  });

  it('refuses the forwarded client when it is outside the list, and audits the client with the proxy as via', async () => {
    assert.equal((await getFrom(t, '127.0.0.2', '/settings', { 'x-forwarded-for': '198.51.100.7, 203.0.113.5' })).status, 403);
    const record = refusals(t).find((r) => r.address === '203.0.113.5');
    assert.equal(record?.details?.via, '127.0.0.2');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    assert.equal((await getFrom(t, '127.0.0.3', '/settings', { 'x-forwarded-for': '198.51.100.7' })).status, 403);
  });

  it('refuses the setup route to a remote client behind the trusted local proxy', async () => {
    const res = await rawRequest(t.port, 'GET', '/setup', { 'x-forwarded-for': '198.51.100.7' }, undefined, '127.0.0.2');
    assert.notEqual(res.status, 200);
  });

  it('sends the editor CSP with self scripts/styles, the comms websocket and frame-ancestors none', async () => {
    const res = await getFrom(t, '127.0.0.1', '/settings');
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${t.port}`));
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS over plain HTTP');
  });

  it('keeps a forged Host header out of the CSP', async () => {
    const res = await getFrom(t, '127.0.0.1', '/settings', { host: "evil.example; script-src *" });
    assert.doesNotMatch(String(res.headers['content-security-policy']), /evil/);
  });
});

describe('network settings at construction', () => {
  it('refuses to start with a bad allow-list entry, naming the setting', async () => {
    await assert.rejects(startTestServer({ network: { ipAllowList: { httpNode: ['10.0.0.0/99'] } } }), (err: unknown) => err instanceof ConfigError && err.place.setting === 'ipAllowList.httpNode');
  });
});
