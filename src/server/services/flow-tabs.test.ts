import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sameNode } from '../../runtime/flow-model/index.js';
import { summariseChanges } from './flow-tabs.js';

describe('summariseChanges', () => {
  it('names added, removed and changed nodes by their JSON, in list order', () => {
    const before = [
      { id: 'a', type: 'inject', wires: [['b']] },
      { id: 'b', type: 'debug', wires: [] },
      { id: 'c', type: 'comment', info: { x: [1, 2] } },
    ];
    const after = [
      { id: 'd', type: 'debug', wires: [] },
      { id: 'a', type: 'inject', wires: [['d']] },
      { id: 'c', type: 'comment', info: { x: [1, 2] } },
    ];
    assert.deepEqual(summariseChanges(before, after), { added: ['d'], removed: ['b'], changed: ['a'] });
    assert.deepEqual(summariseChanges([], after), { added: ['d', 'a', 'c'], removed: [], changed: [] });
  });

  it('counts a node whose JSON text differs as changed, member order included', () => {
    const before = [{ id: 'a', type: 'x', p: 1, q: 2 }];
    assert.deepEqual(summariseChanges(before, [{ id: 'a', type: 'x', q: 2, p: 1 }]).changed, ['a']);
    assert.deepEqual(summariseChanges(before, [{ id: 'a', type: 'x', p: 1, q: 2 }]).changed, []);
    assert.deepEqual(summariseChanges(before, [{ id: 'a', type: 'x', p: '1', q: 2 }]).changed, ['a']);
    assert.deepEqual(summariseChanges([{ id: 'a', type: 'x', l: [1] }], [{ id: 'a', type: 'x', l: { 0: 1 } }]).changed, ['a']);
  });
});

describe('summariseChanges after validation proved nodes equal', () => {
  it('skips proven nodes, and still counts one proven equal only in content as changed', () => {
    const before = [{ id: 'a', type: 'x', p: 1, q: 2 }, { id: 'b', type: 'x', p: 1 }, { id: 'c', type: 'x' }];
    const after = [{ id: 'a', type: 'x', q: 2, p: 1 }, { id: 'b', type: 'x', p: 1 }, { id: 'd', type: 'x' }];
    assert.equal(sameNode(before[0]!, after[0]!), true);
    assert.equal(sameNode(before[1]!, after[1]!), true);
    assert.deepEqual(summariseChanges(before, after), { added: ['d'], removed: ['c'], changed: ['a'] });
  });
});
