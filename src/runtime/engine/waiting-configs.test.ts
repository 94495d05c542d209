import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createRedoubt, type Redoubt } from '../../index.js';
import { configRef, defineNode, string } from '../definition/index.js';
import type { FlowConfigNode, LogEntry } from '../types.js';

/**
 * Test types: `test-tls` (a config node), `test-conn` (a config node that refers to a TLS one),
 * and `test-user` (a node on a tab that refers to a connection). Each records what it saw of the
 * config node it refers to when it was created.
 */
function defineTestTypes(rt: Redoubt, seen: string[]): void {
  rt.registry.define(defineNode({ type: 'test-tls', category: 'config', inputs: 0, outputs: 0, properties: { name: string() }, create: () => undefined }), 'test');
  rt.registry.define(
    defineNode({
      type: 'test-conn',
      category: 'config',
      inputs: 0,
      outputs: 0,
      properties: { tls: configRef('test-tls') },
      create(config, node) {
        seen.push(`${node.id}:tls=${config.tls === '' ? 'none' : node.runtime.getNode(config.tls) ? 'live' : 'absent'}`);
        return undefined;
      },
    }),
    'test',
  );
  rt.registry.define(
    defineNode({
      type: 'test-user',
      category: 'function',
      inputs: 1,
      outputs: 0,
      properties: { conn: configRef('test-conn') },
      create(config, node) {
        seen.push(`${node.id}:conn=${node.runtime.getNode(config.conn) ? 'live' : 'absent'}`);
        return undefined;
      },
    }),
    'test',
  );
}

const FLOWS: FlowConfigNode[] = [
  { id: 't1', type: 'tab', label: 'Uses TLS' },
  { id: 'u1', type: 'test-user', z: 't1', conn: 'conn1', wires: [] },
  { id: 't2', type: 'tab', label: 'Plain' },
  { id: 'u2', type: 'test-user', z: 't2', conn: 'conn2', wires: [] },
  { id: 't3', type: 'tab', label: 'Contrib' },
  // A contrib node names its config node under a key of its own, not a declared configRef.
  { id: 'p3', type: 'probe', z: 't3', server: 'tls1', wires: [] },
  { id: 'tls1', type: 'test-tls', name: 'site TLS' },
  { id: 'conn1', type: 'test-conn', tls: 'tls1' },
  { id: 'conn2', type: 'test-conn', tls: '' },
];

async function start(logs: LogEntry[]): Promise<{ rt: Redoubt; seen: string[] }> {
  const rt = await createRedoubt({ userDir: await mkdtemp(join(tmpdir(), 'redoubt-waiting-configs-')), log: (e) => void logs.push(e) });
  const seen: string[] = [];
  defineTestTypes(rt, seen);
  await rt.loadNodeModule((RED) => {
    RED.nodes.registerType('probe', function (this: any, config: any) {
      RED.nodes.createNode(this, config);
      seen.push(`${String(config.id)}:server=${RED.nodes.getNode(config.server) ? 'live' : 'absent'}`);
    } as any);
  }, 'test-contrib');
  return { rt, seen };
}

const messages = (logs: LogEntry[]) => logs.map((e) => String(e.msg));

describe('engine: config nodes of a missing or disabled type', () => {
  it('keeps waiting every tab that uses a disabled shared config node, directly or through another config node, and starts the rest', async () => {
    const logs: LogEntry[] = [];
    const { rt, seen } = await start(logs);
    try {
      rt.registry.setDisabled('test-tls', true);
      await rt.setFlows(FLOWS);
      assert.deepEqual(seen, ['conn2:tls=none', 'u2:conn=live'], 'only the plain tab and the config node it uses start');
      assert.equal(rt.engine.getNode('tls1'), undefined);
      assert.equal(rt.engine.getNode('conn1'), undefined, 'a config node that refers to a waiting one waits too');
      assert.equal(rt.engine.getNode('u1'), undefined);
      assert.equal(rt.engine.getNode('p3'), undefined);
      assert.deepEqual(rt.engine.missingTypes(), ['test-tls']);
      const lines = messages(logs);
      assert.ok(lines.includes("flow 'Uses TLS' waits for missing node types: test-tls (disabled)"), lines.join('\n'));
      assert.ok(lines.includes("flow 'Contrib' waits for missing node types: test-tls (disabled)"), lines.join('\n'));
      assert.ok(!lines.some((l) => l.startsWith("flow 'Plain' waits")), lines.join('\n'));
      assert.ok(lines.includes('deployed (full); the flows wait for missing node types: test-tls (disabled)'), lines.join('\n'));
      assert.ok(!lines.some((l) => /unknown type/.test(l)), 'a waiting config node is not reported as broken');

      rt.registry.setDisabled('test-tls', false);
      const plain = rt.engine.getNode('u2');
      assert.deepEqual(await rt.engine.startWaiting(), ['t1', 't3']);
      assert.ok(rt.engine.getNode('tls1'));
      assert.ok(rt.engine.getNode('conn1'));
      assert.deepEqual(seen.slice(2), ['conn1:tls=live', 'u1:conn=live', 'p3:server=live'], 'config nodes first, then the tabs that waited');
      assert.equal(rt.engine.getNode('u2'), plain, 'the running tab was not restarted');
      assert.deepEqual(rt.engine.missingTypes(), []);
    } finally {
      await rt.stop();
    }
  });

  it('waits for a config type that is not installed at all, and starts once it is registered', async () => {
    const logs: LogEntry[] = [];
    const { rt, seen } = await start(logs);
    try {
      const flows = [...FLOWS.filter((n) => n.id !== 'tls1'), { id: 'tls1', type: 'contrib-tls' }];
      await rt.setFlows(flows);
      assert.equal(rt.engine.getNode('u1'), undefined);
      assert.ok(rt.engine.getNode('u2'));
      assert.deepEqual(rt.engine.missingTypes(), ['contrib-tls']);
      assert.ok(messages(logs).includes("flow 'Uses TLS' waits for missing node types: contrib-tls"), messages(logs).join('\n'));

      await rt.loadNodeModule((RED) => {
        RED.nodes.registerType('contrib-tls', function (this: any, config: any) {
          RED.nodes.createNode(this, config);
        } as any);
      }, 'contrib-tls-module');
      assert.deepEqual(await rt.engine.startWaiting(), ['t1', 't3']);
      assert.ok(rt.engine.getNode('tls1'));
      assert.ok(seen.includes('u1:conn=live'), seen.join());
    } finally {
      await rt.stop();
    }
  });

  it('starts the config nodes that waited when a nodes deploy follows the type coming back', async () => {
    const { rt, seen } = await start([]);
    try {
      rt.registry.setDisabled('test-tls', true);
      await rt.setFlows(FLOWS);
      rt.registry.setDisabled('test-tls', false);
      // The tab is redeployed before anything asked the engine to start what waited.
      const next = FLOWS.map((n) => (n.id === 'u1' ? { ...n, name: 'renamed' } : n));
      await rt.setFlows(next, { deploymentType: 'nodes' });
      assert.ok(rt.engine.getNode('tls1'));
      assert.ok(rt.engine.getNode('u1'));
      assert.ok(seen.includes('u1:conn=live'), seen.join());
    } finally {
      await rt.stop();
    }
  });

  it('leaves a disabled node that refers to a missing config node alone', async () => {
    const { rt } = await start([]);
    try {
      rt.registry.setDisabled('test-tls', true);
      await rt.setFlows([{ id: 't1', type: 'tab', label: 'Off node' }, { id: 'u1', type: 'test-user', z: 't1', conn: 'conn1', d: true, wires: [] }, ...FLOWS.slice(-3)]);
      assert.deepEqual(rt.engine.missingTypes(), ['test-tls'], 'the config node itself still waits');
      assert.deepEqual(await rt.engine.startWaiting(), [], 'the tab was running');
    } finally {
      await rt.stop();
    }
  });
});
