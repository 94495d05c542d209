import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { RedoubtError } from '../../errors/index.js';
import { record, settle } from '../test-kit.js';

afterEach(() => helper.unload());

const tab = { id: 'f', type: 'tab', label: 'Flow 1' };

/** Two nodes that report errors (e1 in group g1, e2 outside), and the given catch nodes feeding helpers. */
function flow(catches: Array<Record<string, unknown>>) {
  return [
    tab,
    { id: 'g1', type: 'group', z: 'f', nodes: ['e1'] },
    { id: 'e1', type: 'helper', z: 'f', g: 'g1', wires: [] },
    { id: 'e2', type: 'helper', z: 'f', wires: [] },
    ...catches.flatMap((c, i) => [
      { type: 'catch', z: 'f', wires: [[`out${i}`]], ...c },
      { id: `out${i}`, type: 'helper', z: 'f', wires: [] },
    ]),
  ];
}

describe('catch node', () => {
  it('passes on the error of any node on its flow, with msg.error and the original message', async () => {
    await helper.load([], flow([{ id: 'c0', scope: null }]));
    const got = record('out0');
    helper.getNode('e2')!.error(new Error('boom'), { payload: 'p', _msgid: 'm1' });
    await settle();
    assert.equal(got.length, 1);
    assert.equal(got[0]!.payload, 'p');
    const error = got[0]!.error as { message: string; source: Record<string, unknown> };
    assert.equal(error.message, 'Error: boom');
    assert.deepEqual(error.source, { id: 'e2', type: 'helper', name: undefined, count: 1 });
  });

  // Node-RED's core nodes report their problems as strings: msg.error holds the message and the
  // source only. Redoubt's own node errors (RedoubtError) stand for those strings.
  it("gives a core node's error as Node-RED gives its string: message and source, no stack, code or cause", async () => {
    await helper.load([], flow([{ id: 'c0', scope: null }]));
    const got = record('out0');
    helper.getNode('e2')!.error(new RedoubtError('invalid_jsonata', 'Invalid JSONata expression: seven', { cause: new Error('inner') }), { payload: 'p', _msgid: 'm1' });
    helper.getNode('e2')!.error(new Error('plain'), { payload: 'q', _msgid: 'm2' });
    await settle();
    assert.deepEqual(got[0]!.error, { message: 'Invalid JSONata expression: seven', source: { id: 'e2', type: 'helper', name: undefined, count: 1 } });
    assert.equal((got[1]!.error as { message: string }).message, 'Error: plain');
    assert.equal(typeof (got[1]!.error as { stack?: string }).stack, 'string', 'an Error of user code keeps its stack, as in Node-RED');
  });

  it('only passes on errors of the nodes listed in its scope', async () => {
    await helper.load([], flow([{ id: 'c0', scope: ['e1'] }]));
    const got = record('out0');
    helper.getNode('e2')!.error('not mine', { payload: 2 });
    helper.getNode('e1')!.error('mine', { payload: 1 });
    await settle();
    assert.deepEqual(got.map((m) => m.payload), [1]);
  });

  it('only passes on errors from its own group with scope "group"', async () => {
    await helper.load([], [
      ...flow([]),
      { id: 'c0', type: 'catch', z: 'f', g: 'g1', scope: 'group', wires: [['out0']] },
      { id: 'out0', type: 'helper', z: 'f', wires: [] },
    ]);
    const got = record('out0');
    helper.getNode('e2')!.error('outside', { payload: 2 });
    helper.getNode('e1')!.error('inside', { payload: 1 });
    await settle();
    assert.deepEqual(got.map((m) => m.payload), [1]);
  });

  it('with uncaught set, takes only errors that no other catch node took', async () => {
    await helper.load([], flow([{ id: 'c0', scope: ['e1'] }, { id: 'c1', scope: null, uncaught: true }]));
    const scoped = record('out0');
    const uncaught = record('out1');
    helper.getNode('e1')!.error('taken', { payload: 1 });
    helper.getNode('e2')!.error('left', { payload: 2 });
    await settle();
    assert.deepEqual(scoped.map((m) => m.payload), [1]);
    assert.deepEqual(uncaught.map((m) => m.payload), [2]);
  });

  it('does not see errors reported without a message', async () => {
    await helper.load([], flow([{ id: 'c0', scope: null }]));
    const got = record('out0');
    helper.getNode('e2')!.error('no message');
    await settle();
    assert.equal(got.length, 0);
  });

  it('refuses a scope that is neither null, "group" nor a list of ids', async () => {
    await assert.rejects(helper.load([], flow([{ id: 'c0', scope: 'tab' }])), /property 'scope'/);
  });
});
