import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from './database.js';
import { createFlowHistory, summariseDeploy } from './history-store.js';
import { ConfigError, NotFoundError } from '../errors/index.js';

const clock = () => {
  let t = 1_000;
  return { now: () => (t += 1000) };
};

const v1 = [
  { id: 't1', type: 'tab', label: 'Flow 1' },
  { id: 'a', type: 'inject', z: 't1', x: 10, y: 10, wires: [['b']] },
  { id: 'b', type: 'debug', z: 't1', x: 100, y: 10, wires: [] },
];
const v2 = [
  { id: 't1', type: 'tab', label: 'Flow 1' },
  { id: 'a', type: 'inject', z: 't1', x: 50, y: 10, wires: [['c']] },
  { id: 'c', type: 'function', z: 't1', func: 'return msg;', wires: [] },
];

describe('createFlowHistory', () => {
  it('stores each deploy as a numbered version and reads it back', () => {
    const h = createFlowHistory({ db: openDatabase(':memory:') }, { clock: clock() });
    const a = h.add(v1, { username: 'ada', summary: 'first', rev: 'r1' });
    const b = h.add(v2, { summary: 'second', rev: 'r2' });
    assert.deepEqual([a.version, b.version], [1, 2]);
    assert.equal(a.username, 'ada');
    assert.equal(b.username, undefined);
    assert.deepEqual(h.get(1)?.flows, v1);
    assert.deepEqual(h.get(2)?.version, b);
    assert.deepEqual(h.list().map((v) => v.version), [2, 1]);
    assert.deepEqual(h.list(1).map((v) => v.summary), ['second']);
    assert.equal(h.get(3), undefined);
  });

  it('stores a version compressed off the main thread as add does', async () => {
    const h = createFlowHistory({ db: openDatabase(':memory:') }, { clock: clock() });
    const pending = h.prepare!(Buffer.from(JSON.stringify(v1)));
    const a = await pending.add({ username: 'ada', summary: 'first', rev: 'r1' });
    assert.equal(a.version, 1);
    assert.deepEqual(h.get(1)?.flows, v1);
    assert.deepEqual(h.list(), [a]);
  });

  it('diffs two versions: added, removed, changed (wiring counts, position does not)', () => {
    const h = createFlowHistory({ db: openDatabase(':memory:') }, { clock: clock() });
    h.add(v1, { summary: '', rev: 'r1' });
    h.add(v2, { summary: '', rev: 'r2' });
    assert.deepEqual(h.diff(1, 2), { added: ['c'], removed: ['b'], changed: ['a'] });
    assert.deepEqual(h.diff(2, 1), { added: ['b'], removed: ['c'], changed: ['a'] });
    assert.deepEqual(h.diff(1, 1), { added: [], removed: [], changed: [] });
  });

  it('refuses a diff against a version that does not exist', () => {
    const h = createFlowHistory({ db: openDatabase(':memory:') }, { clock: clock() });
    h.add(v1, { summary: '', rev: 'r1' });
    assert.throws(() => h.diff(1, 7), NotFoundError);
  });

  it('keeps only the last N versions and never reuses a version number', () => {
    const h = createFlowHistory({ db: openDatabase(':memory:'), retain: 3 }, { clock: clock() });
    for (let i = 0; i < 5; i++) h.add([{ id: `n${i}`, type: 'comment' }], { summary: `v${i + 1}`, rev: `r${i}` });
    assert.deepEqual(h.list().map((v) => v.version), [5, 4, 3]);
    assert.equal(h.get(2), undefined);
    assert.equal(h.add([], { summary: 'v6', rev: 'r6' }).version, 6);
  });

  it('stores the flows compressed', () => {
    const db = openDatabase(':memory:');
    const h = createFlowHistory({ db }, { clock: clock() });
    const big = Array.from({ length: 200 }, (_, i) => ({ id: `n${i}`, type: 'change', z: 't', rules: [{ t: 'set', p: 'payload', to: 'same text' }], wires: [] }));
    h.add(big, { summary: '', rev: 'r' });
    const { size } = db.prepare('SELECT length(flows) AS size FROM flow_history').get() as { size: number };
    assert.ok(size < JSON.stringify(big).length / 5, `stored ${size} bytes`);
  });

  it('refuses a retention below one version', () => {
    assert.throws(() => createFlowHistory({ db: openDatabase(':memory:'), retain: 0 }, { clock: clock() }), ConfigError);
  });
});

describe('summariseDeploy', () => {
  it('counts what a deploy changes', () => {
    assert.equal(summariseDeploy(v1, v2, 'full'), '1 added, 1 changed, 1 removed (deployment type: full)');
  });
});
