import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { nextMessage } from '../test-kit.js';
import type { Msg } from '../../runtime/types.js';

afterEach(() => helper.unload());

const tab = { id: 'f', type: 'tab', label: 'Flow 1' };

async function injectEnv(globalEnv: unknown[], props: unknown[], tabEnv?: unknown[]): Promise<Msg> {
  await helper.load([], [
    { ...tab, env: tabEnv },
    { id: 'gc', type: 'global-config', env: globalEnv },
    { id: 'n1', type: 'inject', z: 'f', props, wires: [['h1']] },
    { id: 'h1', type: 'helper', z: 'f', wires: [] },
  ]);
  const got = nextMessage('h1');
  helper.getNode('n1')!.receive();
  return got;
}

describe('global-config node', () => {
  it('loads as a config node with no behaviour', async () => {
    await helper.load([], [tab, { id: 'gc', type: 'global-config', env: [], modules: {} }]);
    const node = helper.getNode('gc');
    assert.ok(node);
    assert.equal(node!.type, 'global-config');
  });

  it('provides its env to every flow', async () => {
    const msg = await injectEnv([{ name: 'SITE', value: 'plant-7', type: 'str' }], [{ p: 'payload', v: 'SITE', vt: 'env' }]);
    assert.equal(msg.payload, 'plant-7');
  });

  it('evaluates a JSONata env value', async () => {
    const msg = await injectEnv([{ name: 'SUM', value: '1 + 2', type: 'jsonata' }], [{ p: 'payload', v: 'SUM', vt: 'env' }]);
    assert.equal(msg.payload, 3);
  });

  it('is overridden by a flow env of the same name', async () => {
    const msg = await injectEnv(
      [{ name: 'SITE', value: 'global', type: 'str' }],
      [{ p: 'payload', v: 'SITE', vt: 'env' }],
      [{ name: 'SITE', value: 'flow', type: 'str' }],
    );
    assert.equal(msg.payload, 'flow');
  });

  it('refuses an env that is not a list', async () => {
    await assert.rejects(helper.load([], [tab, { id: 'gc', type: 'global-config', env: 'SITE=x' }]), /property 'env'/);
  });
});
