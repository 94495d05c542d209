import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import type { RedApi } from '../../compat/red-api.js';
import { createRedoubt } from '../../index.js';
import { inTempDir } from '../../testing/temp-dir.js';
import type { FlowConfigNode, Msg } from '../types.js';

const change = (id: string, z: string, value: string, wires: string[][]) => ({
  id,
  type: 'change',
  z,
  rules: [{ t: 'set', p: 'payload', pt: 'msg', to: value, tot: 'str' }],
  wires,
});

const inSubflow = change('c', 'sf', 'from c', [[]]);
// `sf` wraps one change node; `outer` wraps an instance of `sf`; tab t1 uses each once.
const flow: Array<Record<string, unknown> & { id: string }> = [
  { id: 't1', type: 'tab', label: 'main' },
  { id: 'sf', type: 'subflow', name: 'inner', in: [{ wires: [{ id: 'c' }] }], out: [{ wires: [{ id: 'c', port: 0 }] }] },
  inSubflow,
  { id: 'outer', type: 'subflow', name: 'outer', in: [{ wires: [{ id: 'n' }] }], out: [{ wires: [{ id: 'n', port: 0 }] }] },
  { id: 'n', type: 'subflow:sf', z: 'outer', wires: [[]] },
  { id: 'i1', type: 'subflow:sf', z: 't1', wires: [['h']] },
  { id: 'i2', type: 'subflow:outer', z: 't1', wires: [['h']] },
  { id: 'h', type: 'helper', z: 't1' },
];

describe('finding nodes', () => {
  let red: RedApi | undefined;
  const captureRed = (r: RedApi) => {
    red = r;
  };

  it('finds a node inside a subflow instance by its instance id, as RED.nodes.getNode does', async () => {
    await helper.load(captureRed, flow);
    try {
      const inner = red!.nodes.getNode('i1-c') as { id: string; z: string; _alias?: string; type: string } | null;
      assert.ok(inner, 'i1-c is found');
      assert.equal(inner.type, 'change');
      assert.equal(inner.z, 'i1', 'it sits in the instance');
      assert.equal(inner._alias, 'c', 'and knows its id in the definition');
      const nested = red!.nodes.getNode('i2-n-c') as { _alias?: string } | null;
      assert.ok(nested, 'a node of an instance nested in another is found too');
      assert.equal(nested._alias, 'c');
      assert.equal(red!.nodes.getNode('c'), null, 'the definition itself runs nothing');
      // The live node: a message handed to it comes out of the instance.
      const out = new Promise<Msg>((resolve) => helper.getNode('h')!.once('input', resolve));
      helper.getNode('i1-c')!.receive({ payload: 'in' });
      assert.equal((await out).payload, 'from c');
    } finally {
      await helper.unload();
    }
  });

  it('hands out a copy of every saved config to RED.nodes.eachNode, as Node-RED does', async () => {
    await helper.load(captureRed, flow);
    try {
      const seen: FlowConfigNode[] = [];
      red!.nodes.eachNode((n: unknown) => seen.push(n as FlowConfigNode));
      assert.deepEqual(seen.map((n) => n.id).sort(), flow.map((n) => n.id).sort(), 'tabs, subflows and their nodes included');
      const c = seen.find((n) => n.id === 'c')!;
      assert.deepEqual(c.rules, inSubflow.rules, 'the saved properties, not a live node');
      (c.rules as unknown[]).length = 0;
      c.name = 'written';
      const again: FlowConfigNode[] = [];
      red!.nodes.eachNode((n: unknown) => again.push(n as FlowConfigNode));
      assert.equal((again.find((n) => n.id === 'c')!.rules as unknown[]).length, 1, 'writing to a copy changes nothing saved');
      assert.equal(again.find((n) => n.id === 'c')!.name, undefined);
    } finally {
      await helper.unload();
    }
  });
});

describe('RED.nodes.getCredentials', () => {
  it('reads the deployed credentials of any node id, running or not, and nothing for an inherited key', async () => {
    let red: RedApi | undefined;
    const module = (r: RedApi) => {
      red = r;
      r.nodes.registerType('with-creds', function (this: any, config: any) {
        r.nodes.createNode(this, config);
      } as any, { credentials: { user: { type: 'text' }, password: { type: 'password' } } });
    };
    const flows = [
      { id: 'on', type: 'tab' },
      { id: 'off', type: 'tab', disabled: true },
      { id: 'a', type: 'with-creds', z: 'on' },
      { id: 'b', type: 'with-creds', z: 'off' },
    ];
    await helper.load(module, flows, { a: { user: 'ua', password: 'pa' }, b: { user: 'ub', password: 'pb' } });
    try {
      assert.deepEqual(red!.nodes.getCredentials('a'), { user: 'ua', password: 'pa' });
      assert.equal(helper.getNode('b'), null, 'b sits on a disabled tab and does not run');
      assert.deepEqual(red!.nodes.getCredentials('b'), { user: 'ub', password: 'pb' }, 'its credentials are still there');
      assert.equal(red!.nodes.getCredentials('constructor'), undefined);
      assert.equal(red!.nodes.getCredentials('missing'), undefined);
    } finally {
      await helper.unload();
    }
  });
});

describe('starting and stopping the flows', () => {
  it('stops the flows after a deploy in progress, not in the middle of it', async () => {
    await inTempDir('redoubt-lookup-', async (userDir) => {
      const rt = await createRedoubt({ userDir, log: () => undefined });
      try {
        rt.red.nodes.registerType('slow-close', function (this: any, config: any) {
          rt.red.nodes.createNode(this, config);
          this.on('close', (_removed: boolean, done: () => void) => setTimeout(done, 50));
        } as any);
        await rt.setFlows([{ id: 't', type: 'tab' }, { id: 'old', type: 'slow-close', z: 't' }]);
        // The deploy waits 50 ms for the old node to close; the stop is asked for meanwhile.
        const deployed = rt.setFlows([{ id: 't', type: 'tab' }, change('new', 't', 'x', [[]])]);
        const stopped = rt.engine.stopFlows();
        await Promise.all([deployed, stopped]);
        assert.equal(rt.engine.state(), 'stop');
        assert.equal(rt.engine.getNode('new'), undefined, 'the deployed flows were stopped after they started');
        assert.equal(rt.engine.getNode('old'), undefined);
        await rt.engine.startFlows();
        assert.ok(rt.engine.getNode('new'), 'a start afterwards runs the deployed flows');
      } finally {
        await rt.stop();
      }
    });
  });
});
