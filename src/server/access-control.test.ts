import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { ROLES, roleRank, type Role } from '../security/index.js';
import { rawRequest, startTestServer, TEST_PASSWORD, type TestServer } from './testing/test-server.js';

const FLOWS = [
  { id: 't1', type: 'tab', label: 'Flow 1' },
  { id: 'inj', type: 'inject', z: 't1', props: [{ p: 'payload' }], payload: 'hi', payloadType: 'str', wires: [['dbg']] },
  { id: 'dbg', type: 'debug', z: 't1', active: true, tosidebar: true, complete: 'payload', targetType: 'msg', wires: [] },
];

/** Each admin route with the weakest role allowed to use it. */
const ROUTES: Array<{ method: string; path: string; body?: unknown; min: Role }> = [
  { method: 'GET', path: '/flows', min: 'viewer' },
  { method: 'POST', path: '/flows', body: FLOWS, min: 'editor' },
  { method: 'GET', path: '/flow/t1', min: 'viewer' },
  { method: 'POST', path: '/flow', body: { label: 'x', nodes: [] }, min: 'editor' },
  { method: 'PUT', path: '/flow/t1', body: { id: 't1', label: 'Flow 1', nodes: FLOWS.slice(1) }, min: 'editor' },
  { method: 'DELETE', path: '/flow/nope', min: 'editor' },
  { method: 'GET', path: '/flows/state', min: 'viewer' },
  { method: 'POST', path: '/flows/state', body: { state: 'start' }, min: 'editor' },
  { method: 'GET', path: '/nodes', min: 'viewer' },
  { method: 'GET', path: '/nodes/node-red', min: 'viewer' },
  { method: 'GET', path: '/nodes/node-red/inject', min: 'viewer' },
  { method: 'PUT', path: '/nodes/node-red/comment', body: { enabled: true }, min: 'admin' },
  { method: 'PUT', path: '/nodes/node-red', body: { enabled: true }, min: 'admin' },
  { method: 'GET', path: '/settings', min: 'viewer' },
  { method: 'GET', path: '/credentials/inject/inj', min: 'viewer' },
  { method: 'POST', path: '/inject/inj', min: 'operator' },
  { method: 'POST', path: '/debug/dbg/enable', min: 'operator' },
  { method: 'POST', path: '/debug/disable', body: { nodes: ['dbg'] }, min: 'operator' },
  { method: 'GET', path: '/context/global', min: 'viewer' },
  { method: 'GET', path: '/context/flow/t1/k', min: 'viewer' },
  { method: 'DELETE', path: '/context/global/k', min: 'editor' },
  { method: 'GET', path: '/redoubt/audit', min: 'admin' },
  { method: 'GET', path: '/redoubt/history', min: 'viewer' },
  { method: 'GET', path: '/redoubt/history/1', min: 'viewer' },
  { method: 'POST', path: '/redoubt/history/1/rollback', min: 'editor' },
];

describe('access control', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    const res = await t.call('POST', '/flows', { role: 'editor', body: FLOWS });
    assert.equal(res.status, 204);
  });
  after(() => t.close());

  it('checks every route against every role: weaker roles get 403 (audited), the rest are let through', async () => {
    for (const route of ROUTES) {
      const anonymous = await t.call(route.method, route.path, { body: route.body });
      assert.equal(anonymous.status, 401, `${route.method} ${route.path} without a token`);
      for (const role of ROLES) {
        const before = t.stack.audit.list({ event: 'request.refused', limit: 1000 }).length;
        const res = await t.call(route.method, route.path, { role, body: route.body });
        const label = `${route.method} ${route.path} as ${role}: ${res.status} ${res.text.slice(0, 200)}`;
        if (roleRank(role) >= roleRank(route.min)) {
          assert.ok(res.status < 400 || res.status === 404, label);
        } else {
          assert.equal(res.status, 403, label);
          assert.equal(res.json().code, 'forbidden');
          const records = t.stack.audit.list({ event: 'request.refused', limit: 1000 });
          assert.equal(records.length, before + 1, label);
          assert.equal(records.at(-1)!.username, role);
        }
      }
    }
    assert.ok(t.runtime.engine.getNode('inj'), 'the flows are still deployed');
  });

  it('gives each role its Node-RED permissions in GET /settings, and admins the warnings list', async () => {
    const viewer = (await t.call('GET', '/settings', { role: 'viewer' })).json();
    assert.equal(viewer.user.permissions, 'read');
    assert.equal(viewer.redoubt.warnings, undefined);
    const admin = (await t.call('GET', '/settings', { role: 'admin' })).json();
    assert.equal(admin.user.permissions, '*');
    assert.deepEqual(admin.redoubt.warnings, []);
    assert.equal(admin.httpNodeRoot, '/');
  });

  it('revokes the token on POST /auth/revoke', async () => {
    const login = await t.stack.auth.login({ username: 'viewer', password: TEST_PASSWORD, address: '127.0.0.1' });
    assert.ok(login.ok);
    const res = await t.call('POST', '/auth/revoke', { token: login.token });
    assert.equal(res.status, 200);
    assert.equal((await t.call('GET', '/flows', { token: login.token })).status, 401);
  });
});

describe('login', () => {
  let t: TestServer;
  before(async () => {
    // A 1 ms backoff: every one of the fifty attempts is a real failure that counts towards the lock.
    t = await startTestServer({ security: { login: { baseDelayMs: 1, maxDelayMs: 1 } } });
  });
  after(() => t.close());

  const token = (username: string, password: string, localAddress = '127.0.0.1') => {
    const body = JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username, password });
    return rawRequest(t.port, 'POST', '/auth/token', { 'content-type': 'application/json', 'content-length': String(body.length) }, body, localAddress);
  };

  it("describes Node-RED's credentials prompt on GET /auth/login", async () => {
    const res = await rawRequest(t.port, 'GET', '/auth/login', {});
    assert.equal(res.json().type, 'credentials');
    assert.deepEqual(res.json().prompts.map((p: { id: string }) => p.id), ['username', 'password']);
  });

  it('answers the same status and body for an unknown user and a wrong password', async () => {
    const unknown = await token('nobody-here', 'wrong password!');
    const wrong = await token('editor', 'wrong password!');
    assert.equal(unknown.status, 401);
    assert.equal(wrong.status, 401);
    assert.equal(unknown.text, wrong.text);
  });

  it('refuses unknown clients and grant types', async () => {
    const body = JSON.stringify({ client_id: 'evil', grant_type: 'password', username: 'editor', password: TEST_PASSWORD });
    const res = await rawRequest(t.port, 'POST', '/auth/token', { 'content-type': 'application/json', 'content-length': String(body.length) }, body);
    assert.equal(res.status, 401);
    assert.equal(res.json().code, 'invalid_client');
  });

  it('answers 429 with Retry-After after fifty wrong passwords, audits the lockout, and still lets the user in from another address', async () => {
    let last = await token('admin', 'wrong password 0');
    for (let i = 1; i < 50; i++) last = await token('admin', `wrong password ${i}`);
    assert.equal(last.status, 429);
    assert.ok(Number(last.headers['retry-after']) >= 1);
    assert.equal(last.json().code, 'rate_limited');
    const locked = await token('admin', TEST_PASSWORD);
    assert.equal(locked.status, 429, 'the locked address stays locked even with the right password');
    assert.ok(t.stack.audit.list({ event: 'auth.lockout' }).length >= 1);
    const other = await token('admin', TEST_PASSWORD, '127.0.0.2');
    assert.equal(other.status, 200, other.text);
    const { access_token, expires_in, token_type } = other.json();
    assert.equal(token_type, 'Bearer');
    assert.ok(expires_in > 0);
    assert.equal((await t.call('GET', '/settings', { token: access_token })).status, 200);
  });
});

describe('first start setup', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ withUsers: false });
  });
  after(() => t.close());

  it('creates the first admin with the one-time token from loopback; a weak password does not spend it; it works once', async () => {
    const { token } = t.stack.setupToken.issue();
    const weak = await t.call('POST', '/setup', { body: { token, username: 'root', password: 'password' } });
    assert.equal(weak.status, 400);
    const wrong = await t.call('POST', '/setup', { body: { token: 'guess', username: 'root', password: TEST_PASSWORD } });
    assert.equal(wrong.status, 403);
    const ok = await t.call('POST', '/setup', { body: { token, username: 'root', password: TEST_PASSWORD } });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(t.stack.users.get('root')?.role, 'admin');
    const again = await t.call('POST', '/setup', { body: { token, username: 'root2', password: TEST_PASSWORD } });
    assert.equal(again.status, 403);
    assert.equal(t.stack.users.get('root2'), undefined);
  });
});

describe('comms websocket', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ comms: { heartbeatMs: 200, flushMs: 10, authTimeoutMs: 500 } });
    await t.call('POST', '/flows', { role: 'editor', body: FLOWS });
  });
  after(() => t.close());

  const open = async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${t.port}/comms`);
    const messages: unknown[] = [];
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    const next = async (pred: (m: any) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const found = messages.find(pred);
        if (found) return found as any;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no matching message; got ${JSON.stringify(messages)}`);
    };
    return { ws, messages, closed, next };
  };

  it('answers a bad auth message with { auth: "fail" } and closes; subscribing without auth gets nothing and is closed', async () => {
    const a = await open();
    a.ws.send(JSON.stringify({ auth: 'wrong' }));
    assert.deepEqual(await a.next((m) => m.auth), { auth: 'fail' });
    await a.closed;
    const b = await open();
    b.ws.send(JSON.stringify({ subscribe: '#' }));
    await t.call('POST', '/inject/inj', { role: 'operator' });
    await b.closed;
    assert.deepEqual(b.messages, [{ auth: 'fail' }], 'a message before auth is a failed auth');
    assert.ok(t.stack.audit.list({ event: 'request.refused', limit: 1000 }).some((r) => r.details?.route === 'WS comms'));
  });

  it('refuses a token in the upgrade query string', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${t.port}/comms?access_token=${t.tokens.viewer}`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!)));
    assert.equal(status, 401);
  });

  it('sends debug messages batched in arrays after { auth: "ok" } and a subscription, and closes when the session is revoked', async () => {
    const login = await t.stack.auth.login({ username: 'viewer', password: TEST_PASSWORD, address: '127.0.0.1' });
    assert.ok(login.ok);
    const c = await open();
    c.ws.send(JSON.stringify({ auth: login.token }));
    assert.deepEqual(await c.next((m) => m.auth), { auth: 'ok' });
    c.ws.send(JSON.stringify({ subscribe: 'debug' }));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal((await t.call('POST', '/inject/inj', { role: 'operator' })).status, 200);
    const batch = await c.next((m) => Array.isArray(m) && m.some((x: any) => x.topic === 'debug'));
    const debug = batch.find((x: any) => x.topic === 'debug');
    assert.equal(debug.data.msg, 'hi');
    assert.equal(debug.data.id, 'dbg');
    t.stack.auth.logout(login.token);
    await c.closed;
  });
});
