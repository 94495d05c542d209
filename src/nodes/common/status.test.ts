import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { record, settle } from '../test-kit.js';

afterEach(() => helper.unload());

const tab = { id: 'f', type: 'tab', label: 'Flow 1' };

describe('status node', () => {
  it('passes on the status of any node on its flow, with its source', async () => {
    await helper.load([], [
      tab,
      { id: 'n1', type: 'helper', z: 'f', name: 'reporter', wires: [] },
      { id: 's1', type: 'status', z: 'f', scope: null, wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f', wires: [] },
    ]);
    const got = record('out');
    helper.getNode('n1')!.status({ fill: 'green', shape: 'dot', text: 'connected' });
    await settle();
    assert.equal(got.length, 1);
    assert.deepEqual(got[0]!.status, { fill: 'green', shape: 'dot', text: 'connected', source: { id: 'n1', type: 'helper', name: 'reporter' } });
  });

  it('only passes on the status of the nodes in its scope', async () => {
    await helper.load([], [
      tab,
      { id: 'n1', type: 'helper', z: 'f', wires: [] },
      { id: 'n2', type: 'helper', z: 'f', wires: [] },
      { id: 's1', type: 'status', z: 'f', scope: ['n2'], wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f', wires: [] },
    ]);
    const got = record('out');
    helper.getNode('n1')!.status({ text: 'one' });
    helper.getNode('n2')!.status({ text: 'two' });
    await settle();
    assert.deepEqual(got.map((m) => (m.status as { text: string }).text), ['two']);
  });

  it('ignores the status of a node in its scope that it is wired to, so they cannot loop', async () => {
    await helper.load([], [
      tab,
      { id: 'n1', type: 'helper', z: 'f', wires: [] },
      { id: 'n2', type: 'helper', z: 'f', wires: [] },
      { id: 's1', type: 'status', z: 'f', scope: ['n1', 'n2'], wires: [['n1', 'out']] },
      { id: 'out', type: 'helper', z: 'f', wires: [] },
    ]);
    const got = record('out');
    helper.getNode('n1')!.status({ text: 'wired' });
    helper.getNode('n2')!.status({ text: 'other' });
    await settle();
    assert.deepEqual(got.map((m) => (m.status as { text: string }).text), ['other']);
  });

  it('refuses a scope that is not a list of ids, "group" or null', async () => {
    await assert.rejects(helper.load([], [tab, { id: 's1', type: 'status', z: 'f', scope: [1, 2], wires: [] }]), /property 'scope'/);
  });
});
