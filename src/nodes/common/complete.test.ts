import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { record, settle } from '../test-kit.js';
import type { Msg } from '../../runtime/types.js';

afterEach(() => helper.unload());

const tab = { id: 'f', type: 'tab', label: 'Flow 1' };

/** Makes a helper node finish each message it receives (done()), as a real node would. */
function finishes(id: string) {
  helper.getNode(id)!.on('input', (_msg: Msg, _send: unknown, done: () => void) => done());
}

describe('complete node', () => {
  it('passes on a copy of a message a node in its scope finished, with msg.complete.source', async () => {
    await helper.load([], [
      tab,
      { id: 'n1', type: 'helper', z: 'f', name: 'worker', wires: [] },
      { id: 'c1', type: 'complete', z: 'f', scope: ['n1'], wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f', wires: [] },
    ]);
    finishes('n1');
    const got = record('out');
    const original: Msg = { payload: 'work' };
    helper.getNode('n1')!.receive(original);
    await settle();
    assert.equal(got.length, 1);
    assert.equal(got[0]!.payload, 'work');
    assert.notEqual(got[0], original);
    assert.deepEqual(got[0]!.complete, { source: { id: 'n1', type: 'helper', name: 'worker' } });
  });

  it('does not pass on messages of nodes outside its scope, nor messages that ended in an error', async () => {
    await helper.load([], [
      tab,
      { id: 'n1', type: 'helper', z: 'f', wires: [] },
      { id: 'n2', type: 'helper', z: 'f', wires: [] },
      { id: 'c1', type: 'complete', z: 'f', scope: ['n1'], wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f', wires: [] },
    ]);
    finishes('n2');
    helper.getNode('n1')!.on('input', (_m: Msg, _s: unknown, done: (e?: unknown) => void) => done(new Error('failed')));
    const got = record('out');
    helper.getNode('n1')!.receive({ payload: 1 });
    helper.getNode('n2')!.receive({ payload: 2 });
    await settle();
    assert.equal(got.length, 0);
  });

  it('ignores a node in its scope that it is wired to, so they cannot loop', async () => {
    await helper.load([], [
      tab,
      { id: 'n1', type: 'helper', z: 'f', wires: [] },
      { id: 'n2', type: 'helper', z: 'f', wires: [] },
      { id: 'c1', type: 'complete', z: 'f', scope: ['n1', 'n2'], wires: [['n1', 'out']] },
      { id: 'out', type: 'helper', z: 'f', wires: [] },
    ]);
    finishes('n1');
    finishes('n2');
    const got = record('out');
    helper.getNode('n1')!.receive({ payload: 1 });
    helper.getNode('n2')!.receive({ payload: 2 });
    await settle(10);
    assert.deepEqual(got.map((m) => m.payload), [2]);
  });

  it('refuses a scope that is not a list of node ids', async () => {
    await assert.rejects(helper.load([], [tab, { id: 'c1', type: 'complete', z: 'f', scope: 'everything', wires: [] }]), /property 'scope'/);
  });
});
