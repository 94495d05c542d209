import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Request, Response } from 'express';
import { helper } from './test-helper.js';
import type { RedApi } from './red-api.js';
import type { Msg } from '../runtime/types.js';

interface Seen {
  started: Array<{ config: { flows: Array<{ id: string }>; rev: string }; type: string }>;
  nodesStarted: number;
  stopped: number;
}

/** A contrib module as many are written: admin routes, a library type, and work begun on flows:started. */
function makeModule(seen: Seen) {
  return function thingModule(RED: RedApi) {
    RED.library.register('things');
    assert.deepEqual(RED.plugins.getByType('thing-plugin'), []);
    assert.equal((RED.util.encodeObject({ msg: Buffer.from('hi') }) as { format?: string }).format, 'buffer[2]');
    const admin = RED.httpAdmin as { get: Function; post: Function };
    admin.get('/things/:id', RED.auth.needsPermission('things.read'), (req: Request, res: Response) => res.json({ id: req.params.id }));
    admin.post('/things', RED.auth.needsPermission('things.write'), (req: Request, res: Response) => res.json({ got: req.body }));
    RED.events.on('flows:started', (e: Seen['started'][number]) => seen.started.push(e));
    RED.events.on('nodes-started', () => seen.nodesStarted++);
    RED.events.on('flows:stopped', () => seen.stopped++);
    RED.nodes.registerType('thing', function (this: any, config: any) {
      RED.nodes.createNode(this, config);
      this.on('input', (msg: Msg, send: (m: Msg) => void, done: () => void) => {
        msg.payload = `thing ${config.name}`;
        send(msg);
        done();
      });
    } as any);
  };
}

describe('test helper: admin routes, RED.events and setFlows', () => {
  after(() => helper.stopServer());

  it("serves a contrib node's RED.httpAdmin routes to helper.request(), JSON bodies parsed", async () => {
    const seen: Seen = { started: [], nodesStarted: 0, stopped: 0 };
    await helper.startServer();
    await helper.load(makeModule(seen), [{ id: 'n1', type: 'thing', name: 'a', wires: [] }]);
    const got = await helper.request().get('/things/42').expect(200);
    assert.deepEqual(got.body, { id: '42' });
    const posted = await helper.request().post('/things').set('content-type', 'application/json').send(JSON.stringify({ a: 1 })).expect(200);
    assert.deepEqual(posted.body, { got: { a: 1 } });
    await helper.request().post('/things').set('content-type', 'application/json').send('{"a":').expect(400);
    await helper.request().get('/nothing-here').expect(404);
    await helper.unload();
  });

  it('emits flows:started with the deployed config and nodes-started to RED.events, and flows:stopped on unload', async () => {
    const seen: Seen = { started: [], nodesStarted: 0, stopped: 0 };
    await helper.load(makeModule(seen), [{ id: 'n1', type: 'thing', name: 'a', z: 'f1', wires: [['h']] }, { id: 'h', type: 'helper', z: 'f1' }]);
    assert.equal(seen.started.length, 1);
    assert.ok(seen.started[0]!.config.flows.some((n) => n.id === 'n1'), 'the config holds the deployed nodes');
    assert.equal(typeof seen.started[0]!.config.rev, 'string');
    assert.equal(seen.nodesStarted, 1);

    // setFlows redeploys as Node-RED's helper does, here changing one node.
    await helper.setFlows([{ id: 'n1', type: 'thing', name: 'b', z: 'f1', wires: [['h']] }, { id: 'h', type: 'helper', z: 'f1' }], 'nodes');
    assert.equal(seen.started.length, 2);
    assert.equal(seen.started[1]!.type, 'nodes');
    const out = new Promise<Msg>((resolve) => helper.getNode('h')!.once('input', resolve));
    helper.getNode('n1')!.receive({ payload: 'x' });
    assert.equal((await out).payload, 'thing b', 'the redeployed node runs');

    await helper.unload();
    assert.equal(seen.stopped, 1);
  });

  it('reaches the admin routes without startServer, as Node-RED\'s helper does', async () => {
    await helper.stopServer();
    const seen: Seen = { started: [], nodesStarted: 0, stopped: 0 };
    await helper.load(makeModule(seen), [{ id: 'n1', type: 'thing', name: 'a', wires: [] }]);
    const got = await helper.request().get('/things/7').expect(200);
    assert.deepEqual(got.body, { id: '7' });
    // A spec that starts a server afterwards gets its own, and the routes are still there.
    await helper.startServer();
    await helper.request().get('/things/8').expect(200);
    await helper.unload();
  });

  it('logs a RED.events listener that throws, and the deploy still succeeds', async () => {
    const module = (RED: RedApi) => {
      RED.events.on('flows:started', () => {
        throw new Error('listener broke');
      });
    };
    await helper.load(module, [{ id: 'h', type: 'helper', z: 'f1' }]);
    try {
      assert.ok(helper.getNode('h'), 'the flow runs');
      const logged = helper.log().args.map(([e]) => String(e.msg));
      assert.ok(logged.some((m) => m.includes("RED.events listener for 'flows:started' failed: listener broke")), logged.join('\n'));
      await helper.setFlows([{ id: 'h2', type: 'helper', z: 'f1' }], 'full');
      assert.ok(helper.getNode('h2'), 'a later deploy goes through too');
    } finally {
      await helper.unload();
    }
  });

  it('writes RED.log lines to the runtime log, where helper.log() sees them as Node-RED\'s spy does', async () => {
    await helper.load((RED: RedApi) => RED.log.warn('module loaded with a warning'), []);
    try {
      const entry = helper.log().args.map(([e]) => e).find((e) => e.msg === 'module loaded with a warning');
      assert.ok(entry, 'the line is in the log');
      assert.equal(entry.level, 30, "Node-RED's WARN level");
      assert.equal(entry.level, helper.log().WARN, 'the spy names the levels, as Node-RED\'s does');
      assert.equal(helper.log().ERROR, 20);
      assert.equal(helper.log().called, true);
    } finally {
      await helper.unload();
    }
  });

  it("gives RED.settings.userDir, the load's user directory, as Node-RED does", async () => {
    let userDir: unknown;
    await helper.load((RED: RedApi) => {
      userDir = RED.settings.userDir;
    }, []);
    try {
      assert.equal(typeof userDir, 'string');
      assert.equal(userDir, helper.runtime()!.engine.services.userDir);
    } finally {
      await helper.unload();
    }
  });

  it('refuses RED.import of an external module as RED.require is refused', async () => {
    let refused: unknown;
    await helper.load(async (RED: RedApi) => {
      refused = await RED.import('left-pad').catch((err: Error) => err.message);
    }, []);
    await helper.unload();
    assert.equal(refused, "RED.import('left-pad') is not allowed: external modules are disabled");
  });

  it('refuses RED.plugins.registerPlugin with a message naming it', async () => {
    await assert.rejects(
      helper.load((RED: RedApi) => RED.plugins.registerPlugin('my-plugin'), []),
      /RED\.plugins\.registerPlugin\('my-plugin'\): plugins are not supported/,
    );
    await helper.unload();
  });

  it("serves the inject node's button route, POST /inject/:id, with the editor's custom properties", async () => {
    await helper.load(
      [],
      [
        { id: 'i', type: 'inject', z: 'f1', props: [{ p: 'payload', v: 'hello', vt: 'str' }], wires: [['h']] },
        { id: 'h', type: 'helper', z: 'f1' },
      ],
    );
    try {
      const got: Msg[] = [];
      helper.getNode('h')!.on('input', (msg: Msg) => got.push(msg));
      await helper.request().post('/inject/i').expect(200);
      const custom = { __user_inject_props__: [{ p: 'topic', v: 'pressed', vt: 'str' }] };
      await helper.request().post('/inject/i').set('content-type', 'application/json').send(JSON.stringify(custom)).expect(200);
      await helper.request().post('/inject/h').expect(404);
      await helper.request().post('/inject/nope').expect(404);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(
        got.map((m) => [m.payload, m.topic]),
        [
          ['hello', undefined],
          [undefined, 'pressed'],
        ],
      );
    } finally {
      await helper.unload();
    }
  });

  it("serves the debug node's button routes, POST /debug/:id/:state and /debug/:state, answering as Node-RED does", async () => {
    await helper.load([], [{ id: 'd1', type: 'debug', z: 'f1', active: true, complete: 'payload' }]);
    try {
      const published: unknown[] = [];
      helper.runtime()!.events.on('publish', (topic: string, data: unknown) => {
        if (topic === 'debug') published.push(data);
      });
      const debugNode = helper.getNode('d1')!;
      const sendAndWait = async (payload: string) => {
        debugNode.receive({ payload } as Msg);
        await new Promise((resolve) => setTimeout(resolve, 20));
      };
      await helper.request().post('/debug/d1/disable').expect(201);
      await sendAndWait('while off');
      await helper.request().post('/debug/d1/enable').expect(200);
      await sendAndWait('on again');
      await helper.request().post('/debug/disable').send({ nodes: ['d1'] }).expect(201);
      await sendAndWait('off in bulk');
      await helper.request().post('/debug/d1/sideways').expect(404);
      await helper.request().post('/debug/nope/enable').expect(404);
      await helper.request().post('/debug/enable').send({}).expect(400);
      assert.deepEqual(published.map((d) => (d as { msg: unknown }).msg), ['on again']);
    } finally {
      await helper.unload();
    }
  });
});
