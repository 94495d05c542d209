import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RedoubtError } from '../../errors/index.js';
import { coreNodes } from '../../nodes/index.js';
import { createRegistry } from '../../runtime/registry.js';
import type { FlowConfigNode } from '../../runtime/types.js';
import { can as canRole, type AuditEvent, type AuditLog, type Permission, type Role } from '../../security/index.js';
import { openDatabase } from '../../storage/database.js';
import { createNodeSetsStore } from '../../storage/node-sets-store.js';
import { createNodesService, type NodesServiceDeps } from './nodes-service.js';
import type { Caller } from './types.js';

const admin: Caller = { username: 'ada', role: 'admin', address: '10.0.0.5' };

function setup(overrides: Partial<NodesServiceDeps> = {}) {
  const registry = createRegistry();
  for (const def of coreNodes) registry.define(def, 'node-red');
  const db = openDatabase(':memory:');
  const store = createNodeSetsStore(db);
  const events: AuditEvent[] = [];
  const audit = { record: (e: AuditEvent) => void events.push(e) } as unknown as AuditLog;
  let deployed: FlowConfigNode[] = [];
  let waitingStarts = 0;
  const nodes = createNodesService({
    registry,
    store,
    deployedFlows: () => deployed,
    startWaitingFlows: async () => void waitingStarts++,
    audit,
    can: (role: Role, p: string) => canRole(role, p as Permission),
    version: '0.0.0-test',
    clock: { now: () => 1234 },
    ...overrides,
  });
  return { registry, db, store, events, nodes, setDeployed: (f: FlowConfigNode[]) => (deployed = f), waitingStarts: () => waitingStarts };
}

describe('nodes service: disabling node sets', () => {
  it('stores the change, makes the types not installed for the runtime, and audits it', async () => {
    const t = setup();
    const set = await t.nodes.setSetEnabled(admin, 'node-red', 'exec', false);
    assert.equal(set.enabled, false);
    assert.deepEqual(t.store.disabled(), [{ id: 'node-red/exec', disabledAt: 1234, disabledBy: 'ada' }]);
    assert.equal(t.registry.has('exec'), false);
    assert.equal(t.registry.get('exec'), undefined);
    assert.ok(t.registry.entries().some((e) => e.type === 'exec'), 'still listed for the palette');
    assert.deepEqual([...t.nodes.disabledTypes()], ['exec']);
    assert.deepEqual(t.events.map((e) => [e.event, e.details]), [['nodes.disable', { sets: ['node-red/exec'] }]]);
    assert.equal(t.waitingStarts(), 0);

    await t.nodes.setSetEnabled(admin, 'node-red', 'exec', true);
    assert.deepEqual(t.store.disabled(), []);
    assert.equal(t.registry.has('exec'), true);
    assert.equal(t.waitingStarts(), 1, 'enabling starts the flows that waited');
    assert.equal(t.events.at(-1)?.event, 'nodes.enable');
  });

  it('reads the stored sets when built: those types are not installed before any flow starts', () => {
    const t = setup();
    t.store.setDisabled(['node-red/exec', 'gone-module/thing'], true, { username: 'ada', at: 1 });
    const registry = createRegistry();
    for (const def of coreNodes) registry.define(def, 'node-red');
    const again = createNodesService({
      registry, store: t.store, deployedFlows: () => [], startWaitingFlows: async () => undefined,
      audit: { record() {} } as unknown as AuditLog, can: () => true, version: '0',
    });
    assert.equal(registry.has('exec'), false);
    assert.equal(again.getSet(admin, 'node-red', 'exec').enabled, false);
    assert.equal(again.getSet(admin, 'node-red', 'inject').enabled, true);
  });

  it('changes nothing when the change cannot be stored, and says so', async () => {
    const t = setup();
    t.db.close();
    await assert.rejects(t.nodes.setSetEnabled(admin, 'node-red', 'exec', false), (err: unknown) => err instanceof RedoubtError && err.code === 'nodes_not_saved');
    assert.equal(t.registry.has('exec'), true);
    assert.equal(t.nodes.getSet(admin, 'node-red', 'exec').enabled, true);
    assert.deepEqual(t.events, []);
  });

  it('refuses to disable a set whose types are deployed, storing nothing', async () => {
    const t = setup();
    t.setDeployed([{ id: 't', type: 'tab' }, { id: 'x', type: 'exec', z: 't' }]);
    await assert.rejects(t.nodes.setModuleEnabled(admin, 'node-red', false), (err: unknown) => err instanceof RedoubtError && err.code === 'type_in_use');
    assert.deepEqual(t.store.disabled(), []);
    assert.equal(t.registry.has('exec'), true);
  });

  it('lets only callers with nodes.write change a set', async () => {
    const t = setup();
    await assert.rejects(t.nodes.setSetEnabled({ username: 'vic', role: 'viewer' }, 'node-red', 'exec', false));
    assert.deepEqual(t.store.disabled(), []);
    assert.equal(t.registry.has('exec'), true);
  });
});
