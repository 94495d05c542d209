import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { helper } from './test-helper.js';
import type { RedApi } from './red-api.js';
import type { Msg } from '../runtime/types.js';

/** A contrib node that reads a setting at each message and publishes on the comms. */
function announcer(RED: RedApi) {
  RED.nodes.registerType('announcer', function (this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg: Msg, send: (m: Msg) => void, done: () => void) => {
      RED.comms.publish('announcer/said', { greeting: RED.settings.greeting });
      msg.payload = RED.settings.greeting;
      send(msg);
      done();
    });
  } as any);
}

function connect(): Promise<{ ws: WebSocket; next: () => Promise<unknown[]> }> {
  const ws = new WebSocket(helper.url() + '/comms');
  const frames: unknown[][] = [];
  const waiting: Array<(frame: unknown[]) => void> = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as unknown[];
    const take = waiting.shift();
    if (take) take(frame);
    else frames.push(frame);
  });
  const next = () => new Promise<unknown[]>((resolve) => {
    const frame = frames.shift();
    if (frame) resolve(frame);
    else waiting.push(resolve);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, next }));
    ws.once('error', reject);
  });
}

describe('test helper: /comms, settings changed after load, log entries', () => {
  after(() => helper.stopServer());

  it('sends what nodes publish to a /comms client, without a token, as [{ topic, data }]', async () => {
    await helper.startServer();
    await helper.load(announcer, [
      { id: 'd1', type: 'debug', name: 'D' },
      { id: 'a1', type: 'announcer' },
    ]);
    const { ws, next } = await connect();
    try {
      helper.getNode('d1')!.receive({ payload: 'hi' });
      const [debug] = (await next()) as Array<{ topic: string; data: Record<string, unknown> }>;
      assert.equal(debug!.topic, 'debug');
      assert.deepEqual({ id: debug!.data.id, msg: debug!.data.msg, format: debug!.data.format }, { id: 'd1', msg: 'hi', format: 'string[2]' });
      helper.settings({ greeting: 'hello' });
      helper.getNode('a1')!.receive({});
      assert.deepEqual(await next(), [{ topic: 'announcer/said', data: { greeting: 'hello' } }]);
    } finally {
      ws.close();
      helper.settings({ greeting: undefined });
    }
  });

  it('lets a spec change a setting that a loaded node reads at each message', async () => {
    await helper.load(announcer, [
      { id: 'a1', type: 'announcer', wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ]);
    const said = (greeting: string) => {
      helper.settings({ greeting });
      const out = new Promise<unknown>((resolve) => helper.getNode('h1')!.once('input', (msg: Msg) => resolve(msg.payload)));
      helper.getNode('a1')!.receive({});
      return out;
    };
    try {
      assert.equal(await said('one'), 'one');
      assert.equal(await said('two'), 'two');
    } finally {
      helper.settings({ greeting: undefined });
    }
  });

  it("records log entries as Node-RED's log spy does: timestamp, flow path, no fields the node lacks", async () => {
    await helper.load([], [
      { id: 't1', type: 'tab' },
      { id: 'd1', type: 'debug', z: 't1', console: true, tosidebar: false },
      { id: 'd2', type: 'debug', console: true, tosidebar: false, name: 'named' },
    ]);
    const before = Date.now();
    helper.getNode('d1')!.receive({ payload: 'a' });
    helper.getNode('d2')!.receive({ payload: 'b' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const entries = helper.log().args.map(([e]) => e).filter((e) => e.type === 'debug');
    for (const e of entries) assert.ok(typeof e.timestamp === 'number' && e.timestamp >= before);
    const shapes = entries.map(({ timestamp: _t, ...rest }) => rest);
    assert.deepEqual(shapes, [
      { level: 40, id: 'd1', type: 'debug', z: 't1', path: 't1', msg: 'a' },
      { level: 40, id: 'd2', type: 'debug', name: 'named', path: 'global', msg: 'b' },
    ]);
  });

  it('refuses other upgrade paths', async () => {
    await helper.load([], []);
    const ws = new WebSocket(helper.url() + '/elsewhere');
    await new Promise<void>((resolve) => ws.once('error', () => resolve()));
  });
});
