import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { nextMessage } from '../test-kit.js';
import type { Msg } from '../../runtime/types.js';

afterEach(() => helper.unload());

const tab = { id: 'f1', type: 'tab', label: 'Flow 1' };

describe('link in node', () => {
  it('passes on a message it receives, unchanged', async () => {
    await helper.load([], [tab, { id: 'li', type: 'link in', z: 'f1', wires: [['h1']] }, { id: 'h1', type: 'helper', z: 'f1', wires: [] }]);
    const got = nextMessage('h1');
    const msg: Msg = { payload: { a: 1 }, topic: 't' };
    helper.getNode('li')!.receive(msg);
    assert.equal(await got, msg);
  });

  it('accepts a single id saved as a string in links (old flows)', async () => {
    await helper.load([], [
      tab,
      { id: 'lo', type: 'link out', z: 'f1', links: [] },
      { id: 'li', type: 'link in', z: 'f1', links: 'lo', wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f1', wires: [] },
    ]);
    const got = nextMessage('h1');
    helper.getNode('lo')!.receive({ payload: 'via string link' });
    assert.equal((await got).payload, 'via string link');
  });

  it('refuses links that are neither a list nor an id', async () => {
    await assert.rejects(helper.load([], [tab, { id: 'li', type: 'link in', z: 'f1', links: 5, wires: [] }]), /property 'links'/);
  });

  it('can no longer be reached once removed by a redeploy', async () => {
    const callFlow = [
      tab,
      { id: 'lc', type: 'link call', z: 'f1', linkType: 'dynamic', links: [], wires: [] },
      { id: 'c1', type: 'catch', z: 'f1', scope: ['lc'], wires: [['h2']] },
      { id: 'h2', type: 'helper', z: 'f1', wires: [] },
    ];
    await helper.load([], [...callFlow, { id: 'li', type: 'link in', z: 'f1', name: 'target', wires: [] }]);
    await helper.runtime()!.setFlows(callFlow, { deploymentType: 'nodes' });
    const caught = nextMessage('h2');
    helper.getNode('lc')!.receive({ payload: 1, target: 'target' });
    assert.match(((await caught).error as { message: string }).message, /target link-in node 'target' not found/);
  });
});
