import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from './test-helper.js';

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

  it('delivers from a node on a tab named only by its z to a helper node without z, as Node-RED does', async () => {
    await helper.load(upper, [
      { id: 'n1', type: 'upper', z: 'f0', wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ]);
    const got = new Promise<any>((resolve) => helper.getNode('h1')!.on('input', resolve));
    helper.getNode('n1')!.receive({ payload: 'abc' } as any);
    assert.equal((await got).payload, 'ABC');
  });

  it('leaves a node without z wired with two tabs where it was', async () => {
    await helper.load(upper, [
      { id: 'a', type: 'upper', z: 't1', wires: [['h1']] },
      { id: 'b', type: 'upper', z: 't2', wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ]);
    assert.equal(helper.getNode('h1')!.z, undefined);
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
