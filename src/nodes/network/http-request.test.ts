import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { buildDigestHeader } from './digest-auth.js';
import { request, tab } from './http-request-kit.js';
import { startTestServer } from './test-servers.js';

let server: Awaited<ReturnType<typeof startTestServer>>;

describe('http request', () => {
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());
  afterEach(() => helper.unload());

  it('returns a UTF-8 string with status, headers and response url', async () => {
    const { out } = await request({ method: 'GET', ret: 'txt', url: `${server.url}/text` });
    const msg = await out;
    assert.equal(msg.payload, 'hello');
    assert.equal(msg.statusCode, 200);
    assert.equal(msg.headers['content-type'], 'text/plain');
    assert.equal(msg.responseUrl, `${server.url}/text`);
    assert.deepEqual(msg.redirectList, []);
  });

  it('returns a Buffer for ret bin', async () => {
    const msg = await (await request({ method: 'GET', ret: 'bin', url: `${server.url}/bin` })).out;
    assert.deepEqual(msg.payload, Buffer.from([0, 1, 2, 255]));
  });

  it('parses JSON for ret obj, and warns keeping the text when it is not JSON', async () => {
    assert.deepEqual((await (await request({ ret: 'obj', url: `${server.url}/json` })).out).payload, { a: 1, b: [true] });
    const bad = await (await request({ ret: 'obj', url: `${server.url}/badjson` })).out;
    assert.equal(bad.payload, '{not json');
    assert.ok(helper.log().args.some(([e]) => e.level === 30 && e.msg === 'JSON parse error'));
    assert.deepEqual((await (await request({ ret: 'obj', url: `${server.url}/nocontent` })).out).payload, {});
  });

  it('sends each method with the payload as the body (objects as JSON)', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const msg = await (await request({ method, ret: 'obj', url: `${server.url}/echo` }, { payload: { n: 1 } })).out;
      assert.equal(msg.payload.method, method);
      assert.equal(msg.payload.body, '{"n":1}');
      assert.equal(msg.payload.headers['content-type'], 'application/json');
      assert.equal(msg.payload.headers['content-length'], '7');
    }
    const head = await (await request({ method: 'HEAD', url: `${server.url}/text` }, { payload: 'ignored' })).out;
    assert.equal(head.statusCode, 200);
    assert.equal(head.payload, '');
  });

  it('takes the method from msg.method with use, and the url from msg.url', async () => {
    const msg = await (await request({ method: 'use', ret: 'obj' }, { method: 'put', url: `${server.url}/echo`, payload: 'raw' })).out;
    assert.equal(msg.payload.method, 'PUT');
    assert.equal(msg.payload.body, 'raw');
  });

  it('renders a mustache url from the message, escaping as mustache does', async () => {
    const msg = await (await request({ ret: 'obj', url: `${server.url}/echo?q={{topic}}&r={{{raw}}}` }, { topic: 'a&b', raw: 'x%zz' })).out;
    assert.equal(msg.payload.url, '/echo?q=a&amp;b&r=x%25zz');
  });

  it('warns when msg.url tries to override the node url, and keeps the node url', async () => {
    const msg = await (await request({ url: `${server.url}/text` }, { url: `${server.url}/json` })).out;
    assert.equal(msg.payload, 'hello');
    assert.ok(helper.log().args.some(([e]) => e.level === 30 && /can no longer override/.test(String(e.msg))));
  });

  it('reports a missing url and a non-http scheme', async () => {
    const { caught } = await request({});
    assert.equal((await caught).error.message, 'No url specified');
    await request({}, { url: 'ftp://example.com/x' });
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(helper.log().args.some(([e]) => e.msg === 'non-http transport requested'));
  });

  it('appends an object payload to the query string for GET with paytoqs', async () => {
    const msg = await (await request({ ret: 'obj', paytoqs: 'query', url: `${server.url}/echo?x=1` }, { payload: { a: 'b c', n: 2 } })).out;
    assert.equal(msg.payload.url, '/echo?x=1&a=b%20c&n=2');
    const legacy = await (await request({ ret: 'obj', paytoqs: true, url: `${server.url}/echo` }, { payload: { a: 1 } })).out;
    assert.equal(legacy.payload.url, '/echo?a=1');
    const { caught } = await request({ paytoqs: 'query', url: `${server.url}/echo` }, { payload: 'not an object' });
    assert.equal((await caught).error.message, 'Invalid payload');
  });

  it('sends the payload as a GET body with paytoqs body, and not at all when ignored', async () => {
    const body = await (await request({ ret: 'obj', paytoqs: 'body', url: `${server.url}/echo` }, { payload: { a: 1 } })).out;
    assert.equal(body.payload.body, '{"a":1}');
    const ignored = await (await request({ ret: 'obj', paytoqs: 'ignore', url: `${server.url}/echo` }, { payload: { a: 1 } })).out;
    assert.equal(ignored.payload.body, '');
    assert.equal(ignored.payload.url, '/echo');
  });

  it('url-encodes an object payload for a form content type', async () => {
    const msg = await (await request({ method: 'POST', ret: 'obj', url: `${server.url}/echo` }, { payload: { a: '1', b: 'x y' }, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).out;
    assert.equal(msg.payload.body, 'a=1&b=x%20y');
  });

  it('sends multipart/form-data built from an object payload', async () => {
    const payload = { field: 'v', file: { value: Buffer.from('data'), options: { filename: 'f.txt', contentType: 'text/plain' } } };
    const msg = await (await request({ method: 'POST', ret: 'obj', url: `${server.url}/echo` }, { payload, headers: { 'content-type': 'multipart/form-data' } })).out;
    assert.match(msg.payload.headers['content-type'], /^multipart\/form-data; boundary=/);
    assert.match(msg.payload.body, /name="field"\r\n\r\nv\r\n/);
    assert.match(msg.payload.body, /name="file"; filename="f.txt"\r\nContent-Type: text\/plain\r\n\r\ndata\r\n/);
  });

  it('merges node headers over msg.headers, case-insensitively, msg and other types', async () => {
    const headers = [
      { keyType: 'other', keyValue: 'X-Custom', valueType: 'other', valueValue: 'node' },
      { keyType: 'Accept', keyValue: '', valueType: 'application/json', valueValue: '' },
      { keyType: 'msg', keyValue: 'hname', valueType: 'msg', valueValue: 'hvalue' },
    ];
    const msg = await (
      await request({ ret: 'obj', url: `${server.url}/echo`, headers }, { hname: 'X-From-Msg', hvalue: 'mv', headers: { 'x-custom': 'msg', 'x-other': 'kept' } })
    ).out;
    assert.equal(msg.payload.headers['x-custom'], 'node');
    assert.equal(msg.payload.headers['x-other'], 'kept');
    assert.equal(msg.payload.headers.accept, 'application/json');
    assert.equal(msg.payload.headers['x-from-msg'], 'mv');
  });

  it('drops response headers of an earlier request instead of sending them on', async () => {
    await helper.load([], [
      tab,
      { id: 'r1', type: 'http request', z: 'f', url: `${server.url}/text`, wires: [['r2']] },
      { id: 'r2', type: 'http request', z: 'f', ret: 'obj', url: `${server.url}/echo`, wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f', wires: [] },
    ]);
    const out = new Promise<any>((resolve) => helper.getNode('out')!.once('input', resolve));
    helper.getNode('r1')!.receive({});
    const msg = await out;
    assert.equal(msg.payload.headers['content-type'], undefined);
    assert.equal(msg.payload.headers['x-node-red-request-node'], undefined);
  });

  it('sends msg.cookies and returns msg.responseCookies', async () => {
    const sent = await (await request({ ret: 'obj', url: `${server.url}/echo` }, { cookies: { a: 'x y', b: { value: 'raw;', encode: false }, gone: null } })).out;
    assert.equal(sent.payload.headers.cookie, 'a=x%20y; b=raw;');
    const got = await (await request({ url: `${server.url}/cookies` })).out;
    assert.deepEqual(got.responseCookies, { a: { Path: '/', value: '1' }, b: { 'Max-Age': '60', value: 'two words' } });
  });

  it('uses basic authentication from credentials and from the url', async () => {
    const creds = await (await request({ authType: 'basic', url: `${server.url}/basic` }, {}, { credentials: { user: 'dave', password: 'secret' } })).out;
    assert.equal(creds.payload, 'welcome');
    const inUrl = await (await request({ url: `${server.url.replace('http://', 'http://dave:secret@')}/basic` })).out;
    assert.equal(inUrl.payload, 'welcome');
    const wrong = await (await request({ authType: 'basic', url: `${server.url}/basic` }, {}, { credentials: { user: 'dave', password: 'nope' } })).out;
    assert.equal(wrong.statusCode, 401);
  });

  it('answers a digest challenge once', async () => {
    const ok = await (await request({ authType: 'digest', url: `${server.url}/digest` }, {}, { credentials: { user: 'dave', password: 'secret' } })).out;
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.payload, 'welcome');
    const before = server.hits.get('/digest') ?? 0;
    const bad = await (await request({ authType: 'digest', url: `${server.url}/digest` }, {}, { credentials: { user: 'dave', password: 'wrong' } })).out;
    assert.equal(bad.statusCode, 401);
    assert.equal((server.hits.get('/digest') ?? 0) - before, 2);
  });

  it('builds digest headers for sha-256 and -sess challenges', () => {
    const header = buildDigestHeader({ user: 'u', password: 'p', method: 'GET', uri: '/x', challenge: 'Digest realm="r", nonce="n", algorithm=SHA-256-sess, qop="auth,auth-int"', cnonce: 'c' });
    assert.match(header, /algorithm=SHA-256-sess/);
    assert.match(header, /response="[0-9a-f]{64}"/);
    assert.throws(() => buildDigestHeader({ user: 'u', password: 'p', method: 'GET', uri: '/', challenge: 'Digest realm="r"' }), /missing nonce/);
  });

  it('sends a bearer token', async () => {
    const msg = await (await request({ authType: 'bearer', url: `${server.url}/bearer` }, {}, { credentials: { password: 't0ken' } })).out;
    assert.equal(msg.payload, 'welcome');
  });

  it('follows redirects with cookies and a redirect list, or not with msg.followRedirects false', async () => {
    const followed = await (await request({ ret: 'obj', url: `${server.url}/redirect?to=/echo` })).out;
    assert.equal(followed.statusCode, 200);
    assert.equal(followed.responseUrl, `${server.url}/echo`);
    assert.equal(followed.payload.headers.cookie, 'session=abc');
    assert.deepEqual(followed.redirectList, [{ location: '/echo', cookies: { session: { Path: '/', value: 'abc' } } }]);
    const stopped = await (await request({ url: `${server.url}/redirect?to=/echo` }, { followRedirects: false })).out;
    assert.equal(stopped.statusCode, 302);
    assert.equal(stopped.headers.location, '/echo');
  });

  it('keeps the method on 307 and turns it into GET on 303', async () => {
    const kept = await (await request({ method: 'POST', ret: 'obj', url: `${server.url}/redirect?code=307&to=/echo` }, { payload: 'b' })).out;
    assert.equal(kept.payload.method, 'POST');
    assert.equal(kept.payload.body, 'b');
    const changed = await (await request({ method: 'POST', ret: 'obj', url: `${server.url}/redirect?code=303&to=/echo` }, { payload: 'b' })).out;
    assert.equal(changed.payload.method, 'GET');
    assert.equal(changed.payload.body, '');
  });

  it('does not carry Authorization to another origin on redirect', async () => {
    const other = server.url.replace('127.0.0.1', 'localhost');
    const msg = await (await request({ ret: 'obj', url: `${server.url}/redirect?to=${encodeURIComponent(`${other}/echo`)}` }, { headers: { authorization: 'Bearer secret' } })).out;
    assert.equal(msg.payload.headers.authorization, undefined);
  });

  it('gives up after 21 redirects with an error to catch and the message sent on', async () => {
    const { out, caught } = await request({ url: `${server.url}/loop` });
    const err = await caught;
    assert.match(err.error.message, /Redirected 21 times/);
    const msg = await out;
    assert.equal(msg.statusCode, 'ERR_TOO_MANY_REDIRECTS');
    assert.match(msg.payload, /Redirected 21 times.* : http:\/\/127\.0\.0\.1:\d+\/loop$/);
  });

  it('times out after msg.requestTimeout with no response from server', async () => {
    const { out, caught } = await request({ url: `${server.url}/slow` }, { requestTimeout: 50 });
    assert.equal((await caught).error.message, 'no response from server');
    assert.equal((await out).statusCode, 'ETIMEDOUT');
  });

  it('times out after the httpRequestTimeout setting', async () => {
    helper.settings({ httpRequestTimeout: 50 });
    try {
      const { caught } = await request({ url: `${server.url}/slow` });
      assert.equal((await caught).error.message, 'no response from server');
    } finally {
      helper.init(undefined, {});
    }
  });

  it('warns about a bad msg.requestTimeout and uses the default', async () => {
    const msg = await (await request({ url: `${server.url}/text` }, { requestTimeout: 'soon' })).out;
    assert.equal(msg.payload, 'hello');
    assert.ok(helper.log().args.some(([e]) => e.msg === 'Timeout value is not a valid number, ignoring'));
  });

  it('sends connection errors only to catch with senderr', async () => {
    const { out, caught } = await request({ senderr: true, url: 'http://127.0.0.1:1/' });
    const err = await caught;
    assert.match(err.error.message, /ECONNREFUSED/);
    const passed = await Promise.race([out.then(() => 'sent'), new Promise((r) => setTimeout(() => r('not sent'), 50))]);
    assert.equal(passed, 'not sent');
  });

  it('reuses one connection for successive requests with persist', async () => {
    await helper.load([], [
      tab,
      { id: 'req', type: 'http request', z: 'f', persist: true, url: `${server.url}/text`, wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f', wires: [] },
    ]);
    const before = server.connections();
    for (let i = 0; i < 3; i++) {
      const out = new Promise<any>((resolve) => helper.getNode('out')!.once('input', resolve));
      helper.getNode('req')!.receive({});
      assert.equal((await out).payload, 'hello');
    }
    assert.equal(server.connections() - before, 1);
  });

  it('passes non-2xx answers on as normal messages', async () => {
    const msg = await (await request({ url: `${server.url}/status?code=503&body=down` })).out;
    assert.equal(msg.statusCode, 503);
    assert.equal(msg.payload, 'down');
  });

  it('accepts a lax response with insecureHTTPParser', async () => {
    const net = await import('node:net');
    const lax = net.createServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nX-Bad: a\x01b\r\nContent-Length: 2\r\n\r\nok'));
    });
    await new Promise<void>((r) => lax.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(lax.address() as { port: number }).port}/`;
    try {
      const strict = await request({ url });
      assert.match((await strict.caught).error.message, /Parse Error|Invalid header/i);
      const loose = await (await request({ url, insecureHTTPParser: true })).out;
      assert.equal(loose.payload, 'ok');
    } finally {
      lax.close();
    }
  });
});
