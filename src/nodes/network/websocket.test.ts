import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { helper } from '../../compat/test-helper.js';
import { nextMessage, waitUntil, withServerSettings, type AnyMsg } from '../test-kit.js';
import { makeCertificate } from './test-servers.js';

const tab = { id: 'f', type: 'tab' };

function open(url: string, options?: WebSocket.ClientOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextFrame(ws: WebSocket): Promise<{ data: string | Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data, isBinary) => resolve({ data: isBinary ? (data as Buffer) : data.toString(), isBinary })));
}

const listenerFlow = (wholemsg = 'false', path = '/ws/chat') => [
  tab,
  { id: 'l', type: 'websocket-listener', path, wholemsg },
  { id: 'in', type: 'websocket in', z: 'f', server: 'l', client: '', wires: [['tap']] },
  { id: 'tap', type: 'helper', z: 'f', wires: [] },
  { id: 'out', type: 'websocket out', z: 'f', server: 'l', client: '', wires: [] },
];

describe('websocket nodes, listen mode', () => {
  const sockets: WebSocket[] = [];
  const connect = async (path = '/ws/chat') => {
    const ws = await open(`${helper.url().replace('http', 'ws')}${path}`);
    sockets.push(ws);
    return ws;
  };
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await helper.unload();
  });

  it('sends on text frames as strings and binary frames as Buffers, with msg._session', async () => {
    await helper.load([], listenerFlow());
    const ws = await connect();
    let seen = nextMessage<AnyMsg>('tap');
    ws.send('hello');
    let msg = await seen;
    assert.equal(msg.payload, 'hello');
    assert.equal(msg._session.type, 'websocket');
    assert.equal(typeof msg._session.id, 'string');
    seen = nextMessage<AnyMsg>('tap');
    ws.send(Buffer.from([1, 2, 3]));
    msg = await seen;
    assert.deepEqual(msg.payload, Buffer.from([1, 2, 3]));
  });

  it('replies to the sending session only, and broadcasts without a session', async () => {
    await helper.load([], listenerFlow());
    const a = await connect();
    const b = await connect();
    const seen = nextMessage<AnyMsg>('tap');
    a.send('from a');
    const msg = await seen;
    let bGot = false;
    b.on('message', () => (bGot = true));
    const reply = nextFrame(a);
    helper.getNode('out')!.receive({ payload: { answer: 42 }, _session: msg._session });
    assert.deepEqual(await reply, { data: '{"answer":42}', isBinary: false });
    const both = Promise.all([nextFrame(a), nextFrame(b)]);
    helper.getNode('out')!.receive({ payload: Buffer.from('all') });
    const [fa, fb] = await both;
    assert.deepEqual(fa, { data: Buffer.from('all'), isBinary: true });
    assert.deepEqual(fb, { data: Buffer.from('all'), isBinary: true });
    assert.equal(bGot, true);
  });

  it('does not send an empty payload or a message without one', async () => {
    await helper.load([], listenerFlow());
    const ws = await connect();
    const frames: unknown[] = [];
    ws.on('message', (d) => frames.push(d.toString()));
    helper.getNode('out')!.receive({ payload: '' });
    helper.getNode('out')!.receive({ topic: 'no payload' });
    helper.getNode('out')!.receive({ payload: 'last' });
    await waitUntil(() => frames.length > 0, 'a frame');
    assert.deepEqual(frames, ['last']);
  });

  it('carries whole messages as JSON with wholemsg', async () => {
    await helper.load([], listenerFlow('true'));
    const ws = await connect();
    let seen = nextMessage<AnyMsg>('tap');
    ws.send(JSON.stringify({ payload: 1, topic: 't' }));
    let msg = await seen;
    assert.equal(msg.payload, 1);
    assert.equal(msg.topic, 't');
    seen = nextMessage<AnyMsg>('tap');
    ws.send('not json');
    msg = await seen;
    assert.equal(msg.payload, 'not json');
    seen = nextMessage<AnyMsg>('tap');
    ws.send('7');
    assert.equal((await seen).payload, 7);
    const frame = nextFrame(ws);
    helper.getNode('out')!.receive({ payload: 'p', topic: 'x', _session: msg._session });
    const { _msgid, ...rest } = JSON.parse(String((await frame).data));
    assert.deepEqual(rest, { payload: 'p', topic: 'x' });
    assert.equal(typeof _msgid, 'string');
  });

  it('shows the number of connections in the status', async () => {
    await helper.load([], listenerFlow());
    const statuses: any[] = [];
    helper.runtime()!.events.on('publish', (topic: string, data: any) => {
      if (topic === 'status/in') statuses.push(data);
    });
    const ws = await connect();
    await waitUntil(() => statuses.some((s) => s.text === 'connected 1'), 'connected 1');
    ws.close();
    await waitUntil(() => statuses.some((s) => s.text === 'disconnected'), 'disconnected');
  });

  it('refuses a second listener on the same path', async () => {
    await helper.load([], [...listenerFlow(), { id: 'l2', type: 'websocket-listener', path: '/ws/chat', wholemsg: 'false' }]);
    assert.ok(helper.log().args.some(([e]) => e.level === 20 && /Cannot have two WebSocket listeners on the same path/.test(String(e.msg))));
  });

  it('reports a websocket in without a config node', async () => {
    await helper.load([], [tab, { id: 'in', type: 'websocket in', z: 'f', server: '', client: '', wires: [] }]);
    assert.ok(helper.log().args.some(([e]) => e.id === 'in' && e.msg === 'Missing server configuration'));
  });

  it('closes connections and frees the path when a redeploy removes the listener', async () => {
    await helper.load([], listenerFlow());
    const ws = await connect();
    const closed = new Promise((resolve) => ws.once('close', resolve));
    await helper.runtime()!.setFlows([tab]);
    await closed;
    await assert.rejects(open(`${helper.url().replace('http', 'ws')}/ws/chat`));
  });

  it('listens under httpNodeRoot', async () => {
    await withServerSettings({ httpNodeRoot: '/nodes' }, async () => {
      await helper.load([], listenerFlow('false', 'sock'));
      await assert.rejects(open(`${helper.url().replace('http', 'ws')}/sock`));
      const ws = await connect('/nodes/sock');
      const seen = nextMessage<AnyMsg>('tap');
      ws.send('rooted');
      assert.equal((await seen).payload, 'rooted');
    });
  });
});

describe('websocket nodes, connect mode', () => {
  let wss: WebSocketServer;
  let url: string;
  const upgrades: Array<{ headers: Record<string, unknown>; protocol?: string }> = [];
  before(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (ws, req) => upgrades.push({ headers: req.headers, protocol: ws.protocol }));
    await new Promise((r) => wss.once('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/remote`;
  });
  after(() => new Promise((r) => wss.close(r)));
  afterEach(async () => {
    await helper.unload();
    for (const c of wss.clients) c.terminate();
    upgrades.length = 0;
  });

  const clientFlow = (props: Record<string, unknown> = {}) => [
    tab,
    { id: 'c', type: 'websocket-client', path: url, wholemsg: 'false', hb: '', subprotocol: '', headers: [], ...props },
    { id: 'in', type: 'websocket in', z: 'f', server: '', client: 'c', wires: [['tap']] },
    { id: 'tap', type: 'helper', z: 'f', wires: [] },
    { id: 'out', type: 'websocket out', z: 'f', server: '', client: 'c', wires: [] },
  ];
  const serverSide = async () => {
    await waitUntil(() => wss.clients.size === 1, 'the client to connect');
    return [...wss.clients][0]!;
  };

  it('connects once, receives what the server sends and sends to it', async () => {
    await helper.load([], clientFlow());
    const remote = await serverSide();
    const seen = nextMessage<AnyMsg>('tap');
    remote.send('from server');
    assert.equal((await seen).payload, 'from server');
    const frame = nextFrame(remote);
    helper.getNode('out')!.receive({ payload: 'from flow' });
    assert.equal((await frame).data, 'from flow');
    assert.equal(wss.clients.size, 1);
  });

  it('sends subprotocols and upgrade headers (fixed and from env)', async () => {
    process.env.REDOUBT_WS_TEST_TOKEN = 'env-token';
    try {
      await helper.load([], clientFlow({
        subprotocol: 'mqtt, v2',
        headers: [
          { keyType: 'other', keyValue: 'X-Fixed', valueType: 'other', valueValue: 'yes' },
          { keyType: 'Authorization', keyValue: '', valueType: 'env', valueValue: 'REDOUBT_WS_TEST_TOKEN' },
        ],
      }));
      await serverSide();
      assert.equal(upgrades[0]!.headers['sec-websocket-protocol'], 'mqtt,v2');
      assert.equal(upgrades[0]!.protocol, 'mqtt');
      assert.equal(upgrades[0]!.headers['x-fixed'], 'yes');
      assert.equal(upgrades[0]!.headers.authorization, 'env-token');
    } finally {
      delete process.env.REDOUBT_WS_TEST_TOKEN;
    }
  });

  it('pings at the heartbeat interval', async () => {
    await helper.load([], clientFlow({ hb: '0.05' }));
    const remote = await serverSide();
    await new Promise((resolve) => remote.once('ping', resolve));
  });

  it('connects from websocket out alone and carries whole messages', async () => {
    await helper.load([], [
      tab,
      { id: 'c', type: 'websocket-client', path: url, wholemsg: 'true' },
      { id: 'out', type: 'websocket out', z: 'f', server: '', client: 'c', wires: [] },
    ]);
    const remote = await serverSide();
    const frame = nextFrame(remote);
    helper.getNode('out')!.receive({ payload: { a: 1 }, topic: 't', _session: { type: 'other', id: 'x' } });
    const { _msgid, ...rest } = JSON.parse(String((await frame).data));
    assert.deepEqual(rest, { payload: { a: 1 }, topic: 't' });
  });

  it('closes the connection when the flow stops', async () => {
    await helper.load([], clientFlow());
    const remote = await serverSide();
    const closed = new Promise((r) => remote.once('close', r));
    await helper.unload();
    await closed;
  });

  it('connects to wss:// with the CA of a tls-config', async () => {
    const cert = makeCertificate();
    const server = https.createServer({ cert: cert.cert, key: cert.key });
    const secure = new WebSocketServer({ server });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      await helper.load([], [
        tab,
        { id: 'tls', type: 'tls-config', ca: cert.certPath, verifyservercert: true },
        { id: 'c', type: 'websocket-client', path: `wss://127.0.0.1:${(server.address() as AddressInfo).port}/s`, tls: 'tls', wholemsg: 'false' },
        { id: 'in', type: 'websocket in', z: 'f', server: '', client: 'c', wires: [['tap']] },
        { id: 'tap', type: 'helper', z: 'f', wires: [] },
      ]);
      await waitUntil(() => secure.clients.size === 1, 'the secure client');
      const seen = nextMessage<AnyMsg>('tap');
      [...secure.clients][0]!.send('secret');
      assert.equal((await seen).payload, 'secret');
    } finally {
      await helper.unload();
      for (const c of secure.clients) c.terminate();
      secure.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      cert.remove();
    }
  });
});
