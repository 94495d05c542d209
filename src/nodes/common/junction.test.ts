import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { nextMessage } from '../test-kit.js';
import type { Msg } from '../../runtime/types.js';

afterEach(() => helper.unload());

describe('junction node', () => {
  it('passes every message through to all its wires, the first unchanged and the others as copies', async () => {
    await helper.load([], [
      { id: 'f', type: 'tab' },
      { id: 'j1', type: 'junction', z: 'f', wires: [['h1', 'h2']] },
      { id: 'h1', type: 'helper', z: 'f', wires: [] },
      { id: 'h2', type: 'helper', z: 'f', wires: [] },
    ]);
    const a = nextMessage('h1');
    const b = nextMessage('h2');
    const msg: Msg = { payload: { x: 1 } };
    helper.getNode('j1')!.receive(msg);
    const [first, second] = await Promise.all([a, b]);
    assert.equal(first, msg);
    assert.notEqual(second, msg);
    assert.deepEqual(second.payload, { x: 1 });
  });
});
