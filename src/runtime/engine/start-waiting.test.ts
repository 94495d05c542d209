import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createRedoubt } from '../../index.js';
import type { LogEntry } from '../types.js';

const flows = [
  { id: 't1', type: 'tab', label: 'Runs' },
  { id: 'a', type: 'comment', z: 't1' },
  { id: 't2', type: 'tab', label: 'Waits' },
  { id: 'b', type: 'exec', z: 't2', command: 'id', wires: [[], [], []] },
  { id: 'c', type: 'comment', z: 't2' },
  { id: 't3', type: 'tab', label: 'Off', disabled: true },
  { id: 'd', type: 'comment', z: 't3' },
];

describe('engine: a disabled node type', () => {
  it('keeps the tabs using it waiting; startWaiting starts them once it is enabled and leaves running tabs alone', async () => {
    const logs: LogEntry[] = [];
    const rt = await createRedoubt({ userDir: await mkdtemp(join(tmpdir(), 'redoubt-waiting-')), log: (e) => void logs.push(e) });
    try {
      rt.registry.setDisabled('exec', true);
      await rt.setFlows(flows);
      const running = rt.engine.getNode('a');
      assert.ok(running);
      assert.equal(rt.engine.getNode('b'), undefined);
      assert.equal(rt.engine.getNode('c'), undefined);
      assert.deepEqual(rt.engine.missingTypes(), ['exec']);
      assert.ok(logs.some((e) => /flow 'Waits' waits for missing node types: exec \(disabled\)/.test(String(e.msg))));

      assert.deepEqual(await rt.engine.startWaiting(), [], 'still disabled: nothing starts');

      rt.registry.setDisabled('exec', false);
      assert.deepEqual(await rt.engine.startWaiting(), ['t2']);
      assert.ok(rt.engine.getNode('b'));
      assert.ok(rt.engine.getNode('c'));
      assert.equal(rt.engine.getNode('a'), running, 'the running tab was not restarted');
      assert.equal(rt.engine.getNode('d'), undefined, 'a disabled tab stays off');
      assert.deepEqual(rt.engine.missingTypes(), []);
      assert.deepEqual(await rt.engine.startWaiting(), []);
    } finally {
      await rt.stop();
    }
  });

  it('starts nothing while the flows are stopped', async () => {
    const rt = await createRedoubt({ userDir: await mkdtemp(join(tmpdir(), 'redoubt-waiting-')), log: () => undefined });
    try {
      rt.registry.setDisabled('exec', true);
      await rt.setFlows(flows);
      await rt.engine.stopFlows();
      rt.registry.setDisabled('exec', false);
      assert.deepEqual(await rt.engine.startWaiting(), []);
      assert.equal(rt.engine.getNode('b'), undefined);
      await rt.engine.startFlows();
      assert.ok(rt.engine.getNode('b'));
    } finally {
      await rt.stop();
    }
  });
});
