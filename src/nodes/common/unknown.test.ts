import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import type { Msg } from '../../runtime/types.js';

afterEach(() => helper.unload());

describe('unknown node', () => {
  it('loads without stopping its flow and warns once that it does nothing', async () => {
    await helper.load([], [
      { id: 'f', type: 'tab' },
      { id: 'u1', type: 'unknown', z: 'f', name: 'node-red-contrib-gone', modules: ['node-red-contrib-gone'], wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f', wires: [] },
    ]);
    assert.ok(helper.getNode('u1'));
    assert.ok(helper.getNode('h1'), 'the rest of the flow runs');
    const warnings = helper.log().args.filter(([e]) => e.id === 'u1' && e.level === 30);
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]![0].msg), /node-red-contrib-gone/);
  });

  it('passes nothing on', async () => {
    await helper.load([], [
      { id: 'f', type: 'tab' },
      { id: 'u1', type: 'unknown', z: 'f', wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f', wires: [] },
    ]);
    const got: Msg[] = [];
    helper.getNode('h1')!.on('input', (m: Msg) => got.push(m));
    helper.getNode('u1')!.receive({ payload: 1 });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(got.length, 0);
  });
});
