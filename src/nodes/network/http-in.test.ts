import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { nextMessage, withServerSettings, type AnyMsg } from '../test-kit.js';
import type { FlowConfigNode } from '../../runtime/types.js';

const tab = { id: 'f', type: 'tab' };

/** http in → (function-free) http response, with a helper tapping the messages. */
function endpoint(method: string, url: string, extra: Record<string, unknown> = {}, response: Record<string, unknown> = {}): FlowConfigNode[] {
  return [
    tab,
    { id: 'in', type: 'http in', z: 'f', method, url, ...extra, wires: [['out', 'tap']] },
    { id: 'tap', type: 'helper', z: 'f', wires: [] },
    { id: 'out', type: 'http response', z: 'f', ...response, wires: [] },
  ];
}

describe('http in / http response', () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('answers a GET with the query as payload, echoed as JSON', async () => {
    await helper.load([], endpoint('get', '/echo'));
    const seen = nextMessage<AnyMsg>('tap');
    const res = await fetch(`${helper.url()}/echo?a=1&b=two&c[d]=3`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await res.json(), { a: '1', b: 'two', c: { d: '3' } });
    const msg = await seen;
    assert.equal(msg.req.method, 'GET');
    assert.equal(typeof msg.res._res.send, 'function');
  });

  it('puts route parameters in msg.req.params', async () => {
    await helper.load([], endpoint('get', '/user/:id/item/:item'));
    const seen = nextMessage<AnyMsg>('tap');
    await fetch(`${helper.url()}/user/42/item/abc`);
    assert.deepEqual({ ...(await seen).req.params }, { id: '42', item: 'abc' });
  });

  it('accepts Express 4 wildcards and optional parameters from Node-RED flows', async () => {
    await helper.load([], [
      tab,
      { id: 'w', type: 'http in', z: 'f', method: 'get', url: '/files/*', wires: [['tap', 'out']] },
      { id: 'o', type: 'http in', z: 'f', method: 'get', url: '/opt/:name?', wires: [['tap', 'out']] },
      { id: 'tap', type: 'helper', z: 'f', wires: [] },
      { id: 'out', type: 'http response', z: 'f', wires: [] },
    ]);
    let seen = nextMessage<AnyMsg>('tap');
    await fetch(`${helper.url()}/files/a/b.txt`);
    assert.equal((await seen).req.params[0], 'a/b.txt');
    seen = nextMessage<AnyMsg>('tap');
    assert.equal((await fetch(`${helper.url()}/opt`)).status, 200);
    assert.equal((await seen).req.params.name, undefined);
    seen = nextMessage<AnyMsg>('tap');
    await fetch(`${helper.url()}/opt/zed`);
    assert.equal((await seen).req.params.name, 'zed');
  });

  it('parses JSON, urlencoded, text and binary bodies by content type', async () => {
    await helper.load([], endpoint('post', '/body'));
    const cases: Array<[string, BodyInit, (p: unknown) => void]> = [
      ['application/json', '{"x":[1,2]}', (p) => assert.deepEqual(p, { x: [1, 2] })],
      ['application/x-www-form-urlencoded', 'a=1&b[c]=2', (p) => assert.deepEqual({ ...(p as object) }, { a: '1', b: { c: '2' } })],
      ['text/plain', 'hello', (p) => assert.equal(p, 'hello')],
      ['application/xml', '<a/>', (p) => assert.equal(p, '<a/>')],
      ['application/octet-stream', new Uint8Array([0, 1, 255]), (p) => assert.deepEqual(p, Buffer.from([0, 1, 255]))],
      ['application/x-custom', 'utf8 text', (p) => assert.equal(p, 'utf8 text')],
      ['application/x-custom', new Uint8Array([0xff, 0xfe]), (p) => assert.deepEqual(p, Buffer.from([0xff, 0xfe]))],
      // Valid UTF-8, but control bytes: binary, as Node-RED's is-utf8 decides.
      ['application/x-custom', new Uint8Array([0x01, 0x02, 0x41]), (p) => assert.deepEqual(p, Buffer.from([0x01, 0x02, 0x41]))],
      ['application/x-custom', 'tab\tline\r\n', (p) => assert.equal(p, 'tab\tline\r\n')],
      ['image/png', 'png?', (p) => assert.ok(Buffer.isBuffer(p))],
    ];
    for (const [type, body, check] of cases) {
      const seen = nextMessage<AnyMsg>('tap');
      const res = await fetch(`${helper.url()}/body`, { method: 'POST', headers: { 'content-type': type }, body });
      assert.equal(res.status, 200, type);
      check((await seen).payload);
    }
  });

  it('answers malformed JSON with 400 and warns', async () => {
    await helper.load([], endpoint('post', '/json'));
    const res = await fetch(`${helper.url()}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":' });
    assert.equal(res.status, 400);
    assert.ok(helper.log().args.some(([e]) => e.level === 30 && e.id === 'in'));
  });

  it('refuses a body over apiMaxLength with 413 without passing it on', async () => {
    await withServerSettings({ apiMaxLength: '1kb' }, async () => {
      await helper.load([], endpoint('post', '/big'));
      let sent = 0;
      helper.getNode('tap')!.on('input', () => sent++);
      for (const type of ['application/json', 'text/plain', 'application/octet-stream']) {
        const res = await fetch(`${helper.url()}/big`, { method: 'POST', headers: { 'content-type': type }, body: 'x'.repeat(4096) });
        assert.equal(res.status, 413, type);
      }
      const ok = await fetch(`${helper.url()}/big`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'small' });
      assert.equal(ok.status, 200);
      assert.equal(sent, 1);
    });
  });

  it('keeps the raw body as a Buffer when body parsing is skipped', async () => {
    await helper.load([], endpoint('post', '/raw', { skipBodyParsing: true }));
    const seen = nextMessage<AnyMsg>('tap');
    await fetch(`${helper.url()}/raw`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    assert.deepEqual((await seen).payload, Buffer.from('{"a":1}'));
  });

  it('puts uploaded files in msg.req.files and fields in the payload', async () => {
    await helper.load([], endpoint('post', '/upload', { upload: true }));
    const seen = nextMessage<AnyMsg>('tap');
    const form = new FormData();
    form.append('title', 'report');
    form.append('file', new Blob([Buffer.from('file body')], { type: 'text/plain' }), 'r.txt');
    const res = await fetch(`${helper.url()}/upload`, { method: 'POST', body: form });
    assert.equal(res.status, 200);
    const msg = await seen;
    assert.deepEqual(msg.payload, { title: 'report' });
    assert.equal(msg.req.files.length, 1);
    const [file] = msg.req.files;
    assert.equal(file.fieldname, 'file');
    assert.equal(file.originalname, 'r.txt');
    assert.equal(file.mimetype, 'text/plain');
    assert.equal(file.size, 9);
    assert.equal(file.buffer.toString(), 'file body');
  });

  it('leaves multipart bodies unparsed when uploads are off', async () => {
    await helper.load([], endpoint('post', '/noupload'));
    const seen = nextMessage<AnyMsg>('tap');
    const form = new FormData();
    form.append('a', 'b');
    await fetch(`${helper.url()}/noupload`, { method: 'POST', body: form });
    const msg = await seen;
    assert.equal(msg.req.files, undefined);
    assert.match(String(msg.payload), /name="a"/);
  });

  it('passes request cookies and headers in msg.req', async () => {
    await helper.load([], endpoint('get', '/c'));
    const seen = nextMessage<AnyMsg>('tap');
    await fetch(`${helper.url()}/c`, { headers: { cookie: 'a=1; b=hello%20world; c="q"', 'x-thing': 'yes' } });
    const msg = await seen;
    assert.deepEqual({ ...msg.req.cookies }, { a: '1', b: 'hello world', c: 'q' });
    assert.equal(msg.req.headers['x-thing'], 'yes');
    assert.ok(Object.keys(msg.req).includes('headers'));
  });

  it('handles put, delete and patch', async () => {
    await helper.load([], [
      tab,
      ...['put', 'delete', 'patch'].map((m) => ({ id: m, type: 'http in', z: 'f', method: m, url: '/m', wires: [['out']] })),
      { id: 'out', type: 'http response', z: 'f', wires: [] },
    ]);
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`${helper.url()}/m`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ m: method }) });
      assert.deepEqual(await res.json(), { m: method }, method);
    }
    assert.equal((await fetch(`${helper.url()}/m`)).status, 404);
  });

  it('sets the status code from the node, then msg.statusCode, then 200', async () => {
    await helper.load([], [
      tab,
      { id: 'a', type: 'http in', z: 'f', method: 'get', url: '/fixed', wires: [['fn']] },
      { id: 'b', type: 'http in', z: 'f', method: 'get', url: '/frommsg', wires: [['fn2']] },
      { id: 'fn', type: 'change', z: 'f', rules: [{ t: 'set', p: 'statusCode', pt: 'msg', to: '500', tot: 'num' }, { t: 'set', p: 'payload', pt: 'msg', to: 'x', tot: 'str' }], wires: [['fixed']] },
      { id: 'fn2', type: 'change', z: 'f', rules: [{ t: 'set', p: 'statusCode', pt: 'msg', to: '418', tot: 'num' }, { t: 'set', p: 'payload', pt: 'msg', to: '12', tot: 'num' }], wires: [['plain']] },
      { id: 'fixed', type: 'http response', z: 'f', statusCode: '201', wires: [] },
      { id: 'plain', type: 'http response', z: 'f', statusCode: '', wires: [] },
    ]);
    const fixed = await fetch(`${helper.url()}/fixed`);
    assert.equal(fixed.status, 201);
    assert.equal(await fixed.text(), 'x');
    const frommsg = await fetch(`${helper.url()}/frommsg`);
    assert.equal(frommsg.status, 418);
    assert.equal(frommsg.headers.get('content-length'), '2');
    assert.equal(await frommsg.text(), '12');
  });

  it('sends configured headers over msg.headers, and Buffers as they are', async () => {
    await helper.load([], [
      tab,
      { id: 'in', type: 'http in', z: 'f', method: 'get', url: '/h', wires: [['set']] },
      {
        id: 'set', type: 'change', z: 'f', wires: [['out']],
        rules: [
          { t: 'set', p: 'headers', pt: 'msg', to: '{"x-a":"from-msg","x-b":"from-msg"}', tot: 'json' },
          { t: 'set', p: 'payload', pt: 'msg', to: '[1,2,3]', tot: 'bin' },
        ],
      },
      { id: 'out', type: 'http response', z: 'f', headers: { 'x-a': 'from-node', 'content-type': 'application/octet-stream' }, wires: [] },
    ]);
    const res = await fetch(`${helper.url()}/h`);
    assert.equal(res.headers.get('x-a'), 'from-node');
    assert.equal(res.headers.get('x-b'), 'from-msg');
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), Buffer.from([1, 2, 3]));
  });

  it('sets and clears cookies from msg.cookies', async () => {
    await helper.load([], [
      tab,
      { id: 'in', type: 'http in', z: 'f', method: 'get', url: '/ck', wires: [['set']] },
      {
        id: 'set', type: 'change', z: 'f', wires: [['out']],
        rules: [{ t: 'set', p: 'cookies', pt: 'msg', tot: 'json', to: '{"plain":"v1","opts":{"value":"v2","path":"/x","httpOnly":true,"maxAge":60000},"gone":null,"gone2":{"value":null,"path":"/y"}}' }],
      },
      { id: 'out', type: 'http response', z: 'f', wires: [] },
    ]);
    const res = await fetch(`${helper.url()}/ck`);
    const cookies = res.headers.getSetCookie();
    assert.ok(cookies.includes('plain=v1; Path=/'), cookies.join(' | '));
    assert.ok(cookies.some((c) => /^opts=v2; Max-Age=60; Path=\/x; Expires=.*; HttpOnly$/.test(c)), cookies.join(' | '));
    assert.ok(cookies.some((c) => /^gone=; Path=\/; Expires=Thu, 01 Jan 1970/.test(c)), cookies.join(' | '));
    assert.ok(cookies.some((c) => /^gone2=; Path=\/y; Expires=Thu, 01 Jan 1970/.test(c)), cookies.join(' | '));
  });

  it('warns when a message without msg.res reaches http response', async () => {
    await helper.load([], [tab, { id: 'out', type: 'http response', z: 'f', wires: [] }]);
    helper.getNode('out')!.receive({ payload: 'x' });
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(helper.log().args.some(([e]) => e.level === 30 && e.msg === 'No response object'));
  });

  it('routes the error of a second response to the same request to catch', async () => {
    await helper.load([], [
      tab,
      { id: 'in', type: 'http in', z: 'f', method: 'get', url: '/twice', wires: [['out', 'out2']] },
      { id: 'out', type: 'http response', z: 'f', wires: [] },
      { id: 'out2', type: 'http response', z: 'f', wires: [] },
      { id: 'c', type: 'catch', z: 'f', scope: ['out2'], wires: [['tap']] },
      { id: 'tap', type: 'helper', z: 'f', wires: [] },
    ]);
    const caught = nextMessage<AnyMsg>('tap');
    await fetch(`${helper.url()}/twice`);
    assert.match(String((await caught).error.message), /headers/i);
  });

  it('removes an endpoint dropped by a redeploy (404 afterwards) and keeps the others', async () => {
    await helper.load([], [
      tab,
      { id: 'a', type: 'http in', z: 'f', method: 'get', url: '/a', wires: [['out']] },
      { id: 'b', type: 'http in', z: 'f', method: 'get', url: '/b', wires: [['out']] },
      { id: 'out', type: 'http response', z: 'f', wires: [] },
    ]);
    assert.equal((await fetch(`${helper.url()}/a`)).status, 200);
    await helper.runtime()!.setFlows([
      tab,
      { id: 'b', type: 'http in', z: 'f', method: 'get', url: '/b', wires: [['out']] },
      { id: 'out', type: 'http response', z: 'f', wires: [] },
    ]);
    assert.equal((await fetch(`${helper.url()}/a`)).status, 404);
    assert.equal((await fetch(`${helper.url()}/b`)).status, 200);
  });

  it('moves an endpoint whose url changes in a redeploy', async () => {
    const flow = (url: string) => [
      tab,
      { id: 'a', type: 'http in', z: 'f', method: 'get', url, wires: [['out']] },
      { id: 'out', type: 'http response', z: 'f', wires: [] },
    ];
    await helper.load([], flow('/old'));
    await helper.runtime()!.setFlows(flow('/new'), { deploymentType: 'nodes' });
    assert.equal((await fetch(`${helper.url()}/old`)).status, 404);
    assert.equal((await fetch(`${helper.url()}/new`)).status, 200);
  });

  it('warns and creates nothing without a url', async () => {
    await helper.load([], [tab, { id: 'in', type: 'http in', z: 'f', method: 'get', url: '', wires: [] }]);
    assert.ok(helper.log().args.some(([e]) => e.id === 'in' && e.msg === 'missing path'));
  });

  it('prefixes routes with httpNodeRoot', async () => {
    await withServerSettings({ httpNodeRoot: '/api/' }, async () => {
      await helper.load([], endpoint('get', 'rooted'));
      assert.equal((await fetch(`${helper.url()}/rooted`)).status, 404);
      assert.equal((await fetch(`${helper.url()}/api/rooted`)).status, 200);
    });
  });

  it('supports the node-red-node-test-helper request() chain', async () => {
    await helper.load([], endpoint('post', '/chain'));
    const res = await helper.request().post('/chain').send({ hello: 'world' }).expect(200);
    assert.deepEqual(res.body, { hello: 'world' });
  });
});

describe('http in without a server', () => {
  afterEach(() => helper.unload());
  it('warns that the endpoint was not created', async () => {
    await helper.load([], endpoint('get', '/x'));
    assert.ok(helper.log().args.some(([e]) => e.id === 'in' && /httpNodeRoot/.test(String(e.msg))));
  });
});
