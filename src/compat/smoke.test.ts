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
});
