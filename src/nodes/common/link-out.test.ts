import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { nextMessage, record, settle } from '../test-kit.js';
import type { Msg } from '../../runtime/types.js';

afterEach(async () => {
  await helper.unload();
});

const tabs = [
  { id: 'f1', type: 'tab', label: 'Flow 1' },
  { id: 'f2', type: 'tab', label: 'Flow 2' },
  { id: 'f3', type: 'tab', label: 'Flow 3' },
];

describe('link in / link out', () => {
  it('delivers from a link out to the link in it lists, on another tab', async () => {
    await helper.load([], [
      ...tabs,
      { id: 'lo', type: 'link out', z: 'f1', links: ['li'] },
      { id: 'li', type: 'link in', z: 'f2', wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f2', wires: [] },
    ]);
    const got = nextMessage('h1');
    helper.getNode('lo')!.receive({ payload: 'hello' });
    const msg = await got;
    assert.equal(msg.payload, 'hello');
    assert.equal(msg._event, 'node:lo');
  });

  it('delivers when only the link in lists the link out', async () => {
    await helper.load([], [
      ...tabs,
      { id: 'lo', type: 'link out', z: 'f1', links: [] },
      { id: 'li', type: 'link in', z: 'f2', links: ['lo'], wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f2', wires: [] },
    ]);
    const got = nextMessage('h1');
    helper.getNode('lo')!.receive({ payload: 'reverse' });
    assert.equal((await got).payload, 'reverse');
  });

  it('delivers to several link ins: the first gets the message, the others copies', async () => {
    await helper.load([], [
      ...tabs,
      { id: 'lo', type: 'link out', z: 'f1', links: ['li1', 'li2'] },
      { id: 'li1', type: 'link in', z: 'f1', links: ['lo'], wires: [['h1']] },
      { id: 'li2', type: 'link in', z: 'f2', wires: [['h2']] },
      { id: 'h1', type: 'helper', z: 'f1', wires: [] },
      { id: 'h2', type: 'helper', z: 'f2', wires: [] },
    ]);
    const a = record('h1');
    const b = record('h2');
    const original: Msg = { payload: { n: 1 } };
    helper.getNode('lo')!.receive(original);
    await settle(10);
    assert.equal(a.length, 1, 'a link listed at both ends delivers once');
    assert.equal(b.length, 1);
    assert.equal(a[0], original);
    assert.notEqual(b[0], original);
    assert.deepEqual(b[0]!.payload, { n: 1 });
  });

  it('delivers from several link outs to one link in', async () => {
    await helper.load([], [
      ...tabs,
      { id: 'lo1', type: 'link out', z: 'f1', links: ['li'] },
      { id: 'lo2', type: 'link out', z: 'f3', links: ['li'] },
      { id: 'li', type: 'link in', z: 'f2', wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f2', wires: [] },
    ]);
    const got = record('h1');
    helper.getNode('lo1')!.receive({ payload: 1 });
    helper.getNode('lo2')!.receive({ payload: 2 });
    await settle(10);
    assert.deepEqual(got.map((m) => m.payload).sort(), [1, 2]);
  });

  it('skips a link to a node that is missing or disabled', async () => {
    await helper.load([], [
      ...tabs,
      { id: 'lo', type: 'link out', z: 'f1', links: ['gone', 'off', 'li'] },
      { id: 'off', type: 'link in', z: 'f2', d: true, wires: [['h1']] },
      { id: 'li', type: 'link in', z: 'f2', wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f2', wires: [] },
    ]);
    const got = record('h1');
    helper.getNode('lo')!.receive({ payload: 'x' });
    await settle(10);
    assert.equal(got.length, 1);
  });

  it('warns when a message reaches a return-mode link out without a link call', async () => {
    await helper.load([], [...tabs, { id: 'lo', type: 'link out', z: 'f1', mode: 'return' }]);
    helper.getNode('lo')!.receive({ payload: 'lost' });
    await settle(10);
    const warnings = helper.log().args.filter(([e]) => e.id === 'lo' && e.level === 30);
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]![0].msg), /Missing return node information/);
  });

  it('keeps working for the links that remain after a redeploy of changed nodes', async () => {
    const flow = [
      ...tabs,
      { id: 'lo', type: 'link out', z: 'f1', links: ['li'] },
      { id: 'li', type: 'link in', z: 'f2', name: 'a', wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f2', wires: [] },
    ];
    await helper.load([], flow);
    const changed = flow.map((n) => (n.id === 'li' ? { ...n, name: 'b' } : n));
    await helper.runtime()!.setFlows(changed, { deploymentType: 'nodes' });
    const got = nextMessage('h1');
    helper.getNode('lo')!.receive({ payload: 'after' });
    assert.equal((await got).payload, 'after');
  });
});
