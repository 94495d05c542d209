import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rawRequest, startTestServer, type TestServer } from './testing/test-server.js';

const refusals = (t: TestServer) => t.stack.audit.list({ event: 'request.refused', limit: 1000 });

describe('hostile input', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ apiMaxLength: 64 * 1024 });
    await t.call('POST', '/flows', { role: 'editor', body: [{ id: 't1', type: 'tab' }, { id: 'c', type: 'comment', z: 't1', wires: [] }] });
  });
  after(() => t.close());

  it('refuses requests without a token, with a wrong token, and with a token in the query string, auditing each without the token', async () => {
    const none = await t.call('GET', '/flows');
    assert.equal(none.status, 401);
    assert.deepEqual(none.json(), { code: 'unauthorized', message: 'Authentication required' });
    assert.equal((await t.call('GET', '/flows', { token: 'not-a-real-token' })).status, 401);
    const query = await t.call('GET', `/flows?access_token=${t.tokens.admin}`);
    assert.equal(query.status, 401);
    const withBoth = await t.call('GET', `/flows?access_token=${t.tokens.admin}`, { role: 'admin' });
    assert.equal(withBoth.status, 401);
    const records = refusals(t);
    assert.ok(records.length >= 4);
    const text = JSON.stringify(records);
    assert.doesNotMatch(text, new RegExp(t.tokens.admin));
    assert.ok(records.some((r) => r.details?.route === 'GET /flows' && r.address === '127.0.0.1'));
  });

  it('answers 413 request_too_large for a huge streamed body and stops reading it early', async () => {
    let sent = 0;
    const total = 100 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const body = new Readable({
      read() {
        if (sent >= total) return void this.push(null);
        sent += chunk.length;
        this.push(chunk);
      },
    });
    const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: t.port, method: 'POST', path: '/flows', headers: { authorization: `Bearer ${t.tokens.editor}`, 'content-type': 'application/json' } }, (r) => {
        let text = '';
        r.on('data', (d) => (text += d));
        r.on('end', () => resolve({ status: r.statusCode!, text }));
      });
      req.on('error', (err) => (sent < total ? undefined : reject(err)));
      body.pipe(req);
    });
    body.destroy();
    assert.equal(res.status, 413);
    assert.equal(JSON.parse(res.text).code, 'request_too_large');
    assert.ok(sent < total / 2, `the server read on: ${sent} bytes sent`);
    assert.ok(refusals(t).some((r) => r.details?.status === 413));
    assert.ok(t.runtime.engine.getNode('c'), 'the deployed flows still run');
  });

  it('answers 413 at once when Content-Length is over the limit', async () => {
    const res = await t.call('POST', '/flows', { role: 'editor', raw: '[' + ' '.repeat(70 * 1024) + ']', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 413);
  });

  it('names the position of malformed JSON, refuses deep nesting before parsing, and leaves the flows as they were', async () => {
    const rev = t.runtime.engine.getFlows().rev;
    const bad = await t.call('POST', '/flows', { role: 'editor', raw: '[{"id": "x",}]', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json().code, 'invalid_json');
    assert.match(bad.json().message, /position 12/);
    const deep = await t.call('POST', '/flows', { role: 'editor', raw: '['.repeat(10_000) + ']'.repeat(10_000), headers: { 'content-type': 'application/json' } });
    assert.equal(deep.status, 400);
    assert.equal(deep.json().code, 'json_too_deep');
    assert.equal(t.runtime.engine.getFlows().rev, rev);
  });

  it('refuses browser form posts on state-changing routes (CSRF), but not on /auth/token', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain']) {
      const res = await t.call('POST', '/flows', { role: 'editor', raw: '[]', headers: { 'content-type': type } });
      assert.equal(res.status, 415, type);
      assert.equal(res.json().code, 'unsupported_media_type');
    }
    assert.ok(t.runtime.engine.getNode('c'));
    const form = new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: 'viewer', password: 'correct horse battery staple 7' });
    const token = await t.call('POST', '/auth/token', { raw: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(token.status, 200, token.text);
    assert.equal(token.json().token_type, 'Bearer');
  });

  it('refuses path traversal on the static route in every encoding and audits it', async () => {
    await mkdir(join(t.userDir, 'editor'), { recursive: true });
    await writeFile(join(t.userDir, 'editor', 'index.html'), '<p>editor</p>');
    const ok = await rawRequest(t.port, 'GET', '/index.html', {});
    assert.equal(ok.status, 200);
    assert.equal(ok.text, '<p>editor</p>');
    for (const path of ['/..%2f..%2fetc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/%252e%252e%252fetc%252fpasswd', '/../../etc/passwd', '/..%5c..%5cetc%5cpasswd', '/a/%00']) {
      const res = await rawRequest(t.port, 'GET', path, {});
      assert.equal(res.status, 400, path);
      assert.doesNotMatch(res.text, /root:/);
    }
    assert.ok(refusals(t).some((r) => r.details?.code === 'path_traversal'));
  });

  it('sends security headers, no X-Powered-By and no CORS headers; errors carry no stack or version', async () => {
    const res = await t.call('GET', '/flows', { role: 'viewer', headers: { origin: 'http://evil.example' } });
    assert.equal(res.headers['x-powered-by'], undefined);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    const preflight = await rawRequest(t.port, 'OPTIONS', '/flows', { origin: 'http://evil.example', 'access-control-request-method': 'POST' });
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    const err = await t.call('GET', '/nodes/nope', { role: 'viewer' });
    assert.equal(err.status, 404);
    assert.doesNotMatch(err.text, /at .*\.ts|node_modules|express|0\.0\.0-test/);
  });
});
