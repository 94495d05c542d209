import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';

afterEach(() => helper.unload());

describe('comment node', () => {
  it('loads with its name and info and does nothing with messages', async () => {
    await helper.load([], [
      { id: 'f', type: 'tab' },
      { id: 'c1', type: 'comment', z: 'f', name: 'a note', info: '# Markdown', wires: [] },
    ]);
    const node = helper.getNode('c1')!;
    assert.equal(node.name, 'a note');
    node.receive({ payload: 'ignored' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(helper.log().args.filter(([e]) => e.id === 'c1').length, 0);
  });
});
