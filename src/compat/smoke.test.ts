import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { helper, type AnnouncedCall } from './test-helper.js';
import { RuntimeNode } from '../runtime/index.js';

function upper(RED: any) {
  function Upper(this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg: any, send: any, done: any) => { msg.payload = String(msg.payload).toUpperCase(); send(msg); done(); });
  }
  RED.nodes.registerType('upper', Upper);
}
describe('smoke', () => {
  after(() => helper.unload());
  it('routes through a contrib node to helper nodes with clones', async () => {
    await helper.load(upper, [
      { id: 't', type: 'tab' },
      { id: 'n1', type: 'upper', z: 't', wires: [['h1', 'h2']] },
      { id: 'h1', type: 'helper', z: 't', wires: [] },
      { id: 'h2', type: 'helper', z: 't', wires: [] },
    ]);
    const got: any[] = [];
    const both = new Promise<void>((resolve) => {
      const h = (m: any) => { got.push(m); if (got.length === 2) resolve(); };
      helper.getNode('h1')!.on('input', h);
      helper.getNode('h2')!.on('input', h);
    });
    const orig = { payload: 'abc', buf: Buffer.from('x') };
    helper.getNode('n1')!.receive(orig as any);
    await both;
    assert.equal(got[0].payload, 'ABC');
    assert.equal(got[0], orig);
    assert.notEqual(got[1], orig);
    assert.ok(Buffer.isBuffer(got[1].buf));
  });

  it('wires a node on a tab to a helper saved without z, which runs in the global scope', async () => {
    await helper.load(upper, [
      { id: 'n1', type: 'upper', z: 'f1', wires: [['h1']] },
      { id: 'h1', type: 'helper', wires: [] },
    ]);
    const got = new Promise<any>((resolve) => helper.getNode('h1')!.on('input', resolve));
    helper.getNode('n1')!.receive({ payload: 'up' } as any);
    assert.equal((await got).payload, 'UP');
  });

  it("keeps a late log line of an earlier load out of the next load's log", async () => {
    const late = (RED: any) => {
      RED.nodes.registerType('late-logger', function (this: any, config: any) {
        RED.nodes.createNode(this, config);
        this.on('input', () => { setTimeout(() => this.log('late line'), 30); });
      });
    };
    await helper.load(late, [{ id: 'l1', type: 'late-logger', wires: [] }]);
    helper.getNode('l1')!.receive({ payload: 1 } as any);
    void helper.unload();
    await helper.load(upper, [{ id: 'n1', type: 'upper', wires: [] }]);
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(!helper.log().args.some(([e]) => e.msg === 'late line'));
  });

  it('loads a flow wired to a node the spec left out, dropping that wire as Node-RED does', async () => {
    const flow = [
      { id: 'n1', type: 'upper', wires: [['h1', 'absent']] },
      { id: 'h1', type: 'helper', wires: [] },
    ];
    await helper.load(upper, flow);
    assert.deepEqual(flow[0]!.wires, [['h1', 'absent']], "the spec's own flow objects are left as written");
    const got = new Promise<any>((resolve) => helper.getNode('h1')!.on('input', resolve));
    helper.getNode('n1')!.receive({ payload: 'x' } as any);
    assert.equal((await got).payload, 'X');
  });

  it("announces a node's error, warn, status and send as call:<method>, on the next tick", async () => {
    await helper.load(upper, [{ id: 'n1', type: 'upper', z: 't', wires: [['h1']] }, { id: 'h1', type: 'helper', z: 't', wires: [] }]);
    const n1 = helper.getNode('n1')!;
    const heard = (method: string) => new Promise<AnnouncedCall>((resolve) => n1.once(`call:${method}`, resolve));
    // Listeners added after the calls still hear them.
    const sent = { payload: 'x' } as any;
    n1.error('broke', sent);
    n1.warn('careful');
    n1.status({ text: 'ok' });
    n1.send(sent);
    const [error, warn, status, send] = await Promise.all([heard('error'), heard('warn'), heard('status'), heard('send')]);
    assert.deepEqual(error.args, ['broke', sent]);
    assert.equal(error.firstArg, 'broke');
    assert.equal(error.lastArg, sent);
    assert.equal(error.thisValue, n1);
    assert.equal(warn.firstArg, 'careful');
    assert.deepEqual(status.firstArg, { text: 'ok' });
    assert.equal(send.firstArg, sent);
  });

  it('leaves the node prototype as it was once no flow is loaded', async () => {
    await helper.unload();
    const { error } = RuntimeNode.prototype;
    await helper.load(upper, [{ id: 'n1', type: 'upper', z: 't', wires: [] }]);
    assert.notEqual(RuntimeNode.prototype.error, error);
    await helper.unload();
    assert.equal(RuntimeNode.prototype.error, error);
  });
});

describe('test helper callbacks', () => {
  after(() => helper.unload());

  it("hands an error thrown in the load callback back to the callback, as Node-RED's helper does", async () => {
    const calls: unknown[] = [];
    await new Promise<void>((resolve) => {
      void helper.load(upper, [{ id: 'n1', type: 'upper', wires: [] }], (err?: unknown) => {
        calls.push(err);
        if (err) return resolve();
        throw new Error('assertion in the callback');
      });
    });
    assert.equal(calls.length, 2);
    assert.equal(calls[0], undefined);
    assert.equal((calls[1] as Error).message, 'assertion in the callback');
  });
});
