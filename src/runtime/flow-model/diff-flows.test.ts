import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collectRefs, deepEqual, diffFlows, provenSame, provenSameInOrder, sameNode } from './diff-flows.js';
import { parseFlows } from './parse-flows.js';

const base = [
  { id: 't1', type: 'tab', label: 'A' },
  { id: 't2', type: 'tab', label: 'B' },
  { id: 'cfg', type: 'mqtt-broker', broker: 'localhost' },
  { id: 'a', type: 'inject', z: 't1', x: 10, y: 10, wires: [['b']] },
  { id: 'b', type: 'debug', z: 't1', wires: [] },
  { id: 'c', type: 'mqtt in', z: 't2', broker: 'cfg', wires: [['d']] },
  { id: 'd', type: 'debug', z: 't2', wires: [] },
  { id: 's1', type: 'subflow', name: 'S', in: [], out: [] },
  { id: 'sn', type: 'change', z: 's1', rules: [], wires: [] },
  { id: 'i1', type: 'subflow:s1', z: 't2', wires: [] },
];
const edit = (changes: (flows: any[]) => void) => {
  const copy = structuredClone(base) as any[];
  changes(copy);
  return parseFlows(copy);
};

describe('diffFlows', () => {
  it('ignores position changes', () => {
    const diff = diffFlows(parseFlows(base), edit((f) => (f[3].x = 200)));
    assert.equal(diff.changed.size, 0);
    assert.equal(diff.flows.size, 0);
  });

  it('sees a rewire without a config change', () => {
    const diff = diffFlows(parseFlows(base), edit((f) => (f[3].wires = [[]])));
    assert.deepEqual([...diff.rewired], ['a']);
    assert.equal(diff.changed.size, 0);
    assert.deepEqual([...diff.flows], ['t1']);
  });

  it('marks the users of a changed config node as changed', () => {
    const diff = diffFlows(parseFlows(base), edit((f) => (f[2].broker = 'other')));
    assert.ok(diff.changed.has('cfg'));
    assert.ok(diff.changed.has('c'));
    assert.ok(!diff.changed.has('d'));
  });

  it('marks the instances of a changed subflow as changed', () => {
    const diff = diffFlows(parseFlows(base), edit((f) => (f[8].rules = [{ t: 'set' }])));
    assert.ok(diff.changed.has('i1'));
    assert.ok(diff.flows.has('t2'));
    assert.ok(!diff.flows.has('t1'));
  });

  it('marks every node of a changed tab as changed', () => {
    const diff = diffFlows(parseFlows(base), edit((f) => (f[0].env = [{ name: 'X', value: '1', type: 'str' }])));
    assert.ok(diff.changed.has('a') && diff.changed.has('b'));
  });

  it('reports added and removed nodes with their flows', () => {
    const diff = diffFlows(parseFlows(base), edit((f) => {
      f.splice(4, 1);
      f[3].wires = [[]];
      f.push({ id: 'e', type: 'debug', z: 't2', wires: [] });
    }));
    assert.deepEqual([...diff.removed], ['b']);
    assert.deepEqual([...diff.added], ['e']);
    assert.deepEqual([...diff.flows].sort(), ['t1', 't2']);
  });
});

describe('deepEqual', () => {
  it('compares JSON values by content, and by member order too when asked', () => {
    assert.equal(deepEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }), true);
    assert.equal(deepEqual({ a: 1, b: 2 }, { b: 2, a: 1 }, true), false);
    assert.equal(deepEqual({ a: 1, b: [{ c: 1, d: 2 }] }, { a: 1, b: [{ d: 2, c: 1 }] }, true), false);
    assert.equal(deepEqual({ a: 1, b: [{ c: 1 }] }, { a: 1, b: [{ c: 1 }] }, true), true);
    assert.equal(deepEqual([1, 2], { 0: 1, 1: 2 }), false);
    assert.equal(deepEqual({ a: 1 }, { a: '1' }), false);
    // Same number of members but different names, even when both values are missing.
    assert.equal(deepEqual({ x: undefined }, { y: undefined }), false);
  });
});

describe('sameNode', () => {
  it('remembers what it proved, for that pair only, and whether member order matched', () => {
    const deployed = { id: 'n', type: 'change', rules: [{ t: 'set', p: 'a' }], x: 1 };
    const inOrder = { id: 'n', type: 'change', rules: [{ t: 'set', p: 'a' }], x: 1 };
    const reordered = { x: 1, id: 'n', type: 'change', rules: [{ p: 'a', t: 'set' }] };
    const edited = { id: 'n', type: 'change', rules: [{ t: 'set', p: 'b' }], x: 1 };
    assert.equal(provenSame(deployed, inOrder), false);
    assert.equal(sameNode(deployed, inOrder), true);
    assert.equal(provenSameInOrder(deployed, inOrder), true);
    assert.equal(sameNode(deployed, reordered), true);
    assert.equal(provenSame(deployed, reordered), true);
    assert.equal(provenSameInOrder(deployed, reordered), false);
    assert.equal(sameNode(deployed, edited), false);
    assert.equal(provenSame(deployed, edited), false);
    // A proof names the deployed node it was made against: another one proves nothing.
    const otherDeployed = { ...edited };
    assert.equal(provenSame(otherDeployed, inOrder), false);
  });

  it('lets the diff skip a node proven unchanged, and still finds the one that changed', () => {
    const before = parseFlows(base);
    const after = edit((f) => (f[3].topic = 'new'));
    for (const node of after.all) {
      const deployed = before.byId.get(node.id);
      if (deployed) sameNode(deployed, node);
    }
    const diff = diffFlows(before, after);
    assert.deepEqual([...diff.changed], ['a']);
    assert.deepEqual([...diff.rewired], []);
  });
});

describe('collectRefs', () => {
  it('finds ids in nested settings, arrays included, and not in id, z, g or wires', () => {
    const ids = new Set(['c1', 'c2', 'c3', 'w']);
    const found: string[] = [];
    const node = { id: 'c1', z: 'c1', g: 'c1', wires: [['w']], broker: 'c2', list: [1, null, true, 'c3', { deep: ['c2'] }], other: 'x' };
    collectRefs(node, ids, (id) => found.push(id));
    assert.deepEqual(found, ['c2', 'c3', 'c2']);
  });
});
