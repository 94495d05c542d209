import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../errors/index.js';
import { inspectFlows, parseFlows } from './parse-flows.js';

const tab = { id: 't1', type: 'tab', label: 'Flow 1' };

describe('parseFlows', () => {
  it('reads a plain array and indexes tabs, nodes, groups and global config nodes', () => {
    const model = parseFlows([
      tab,
      { id: 'g1', type: 'group', z: 't1', nodes: ['n1'] },
      { id: 'n1', type: 'inject', z: 't1', g: 'g1', wires: [['n2']] },
      { id: 'n2', type: 'debug', z: 't1', wires: [] },
      { id: 'c1', type: 'mqtt-broker' },
    ]);
    assert.equal(model.tabs.size, 1);
    assert.equal(model.groups.size, 1);
    assert.deepEqual(model.nodesByParent.get('t1')!.map((n) => n.id), ['n1', 'n2']);
    assert.deepEqual(model.globalNodes.map((n) => n.id), ['c1']);
  });

  it('reads the {flows, rev} shape and keeps the rev', () => {
    const model = parseFlows({ flows: [tab], rev: 'abc' });
    assert.equal(model.rev, 'abc');
    assert.equal(model.tabs.size, 1);
  });

  it('refuses invalid JSON naming the line and column', () => {
    const { issues } = inspectFlows('[\n  {"id": "a",, }\n]');
    assert.equal(issues[0]!.code, 'invalid_json');
    assert.match(issues[0]!.message, /line 2/);
  });

  it('refuses something that is not an array', () => {
    assert.throws(() => parseFlows({ id: 'x' }), (err: unknown) => err instanceof ValidationError && err.issues[0]!.code === 'not_an_array');
    assert.throws(() => parseFlows(42), /must be an array/);
  });

  it('lists every problem at once: duplicate ids, missing wire targets, nodes on missing tabs, entries without id', () => {
    const { issues } = inspectFlows([
      tab,
      { id: 'a', type: 'inject', z: 't1', wires: [['ghost']] },
      { id: 'a', type: 'debug', z: 't1', wires: [] },
      { id: 'b', type: 'debug', z: 'nowhere', wires: [] },
      { type: 'debug' },
      'text',
    ]);
    const codes = issues.map((i) => i.code).sort();
    assert.deepEqual(codes, ['duplicate_id', 'invalid_node', 'missing_flow', 'missing_id', 'missing_wire_target']);
    const wire = issues.find((i) => i.code === 'missing_wire_target')!;
    assert.equal(wire.nodeId, 'a');
    assert.match(wire.message, /'ghost'/);
  });

  it('refuses wires that are not arrays of arrays', () => {
    const { issues } = inspectFlows([tab, { id: 'a', type: 'x', z: 't1', wires: ['b'] }]);
    assert.equal(issues[0]!.code, 'invalid_wires');
  });

  it('normalises subflow definitions and checks their port wiring', () => {
    const { model, issues } = inspectFlows([
      tab,
      { id: 's1', type: 'subflow', name: 'S', in: [{ wires: [{ id: 'sn1' }] }], out: [{ wires: [{ id: 'sn1', port: 0 }] }], env: [] },
      { id: 'sn1', type: 'change', z: 's1', wires: [[]] },
      { id: 'i1', type: 'subflow:s1', z: 't1', wires: [[]] },
      { id: 's2', type: 'subflow', name: 'bad', in: [{ wires: [{ id: 'missing' }] }], out: [] },
    ]);
    assert.equal(model!.subflows.get('s1')!.in.length, 1);
    assert.deepEqual(model!.nodesByParent.get('s1')!.map((n) => n.id), ['sn1']);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.nodeId, 's2');
  });

  it('treats an empty string as no flows', () => {
    assert.equal(parseFlows('').all.length, 0);
  });
});
