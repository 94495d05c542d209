// A flows file written by Node-RED may hold a node whose settings Node-RED tolerates and Redoubt
// cannot use (an invalid JSONata expression, say). The server starts those flows without that
// node, as Node-RED does, rather than starting nothing; deploys may keep the node as it is, and
// are refused, changing nothing, when they add or change one.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FlowConfigNode } from '../runtime/types.js';
import { startTestServer, type TestServer } from './testing/test-server.js';

const BROKEN = { t: 'set', p: 'payload', pt: 'msg', to: '$lookup(msg.payload, ', tot: 'jsonata' };
const STORED: FlowConfigNode[] = [
  { id: 't1', type: 'tab', label: 'Served' },
  { id: 'in', type: 'http in', z: 't1', url: '/hello', method: 'get', upload: false, swaggerDoc: '', wires: [['set']] },
  { id: 'set', type: 'change', z: 't1', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'hello', tot: 'str' }], wires: [['out']] },
  { id: 'out', type: 'http response', z: 't1', statusCode: '', headers: {}, wires: [] },
  { id: 't2', type: 'tab', label: 'Broken' },
  { id: 'bad', type: 'change', z: 't2', name: 'broken', rules: [BROKEN], x: 100, y: 40, wires: [[]] },
];

const withNode = (flows: readonly FlowConfigNode[], id: string, change: Record<string, unknown>) => flows.map((n) => (n.id === id ? { ...n, ...change } : n));

describe('stored flows holding a node with invalid settings', () => {
  let t: TestServer;
  afterEach(() => t?.close());

  const post = (body: unknown, type = 'full') => t.call('POST', '/flows', { role: 'editor', body, headers: { 'node-red-deployment-type': type } });
  const lastDeploy = () => t.stack.audit.list({ event: 'flows.deploy' }).at(-1);
  const snapshot = async () => ({
    files: (await readdir(t.userDir)).sort(),
    flows: await readFile(join(t.userDir, 'flows.json'), 'utf8'),
    rev: t.runtime.engine.getFlows().rev,
    running: t.runtime.engine.getNode('set'),
  });

  it('start without it: the other flows serve, the node is logged with its problem and kept in the flows', async () => {
    t = await startTestServer({ flows: STORED });
    const res = await t.call('GET', '/hello');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.text, 'hello');
    assert.ok(
      t.logs.some((l) => /^node 'bad' \(change\) does nothing until its settings are fixed: property 'rules': rule 1: /.test(l)),
      t.logs.join('\n'),
    );
    assert.ok(!t.logs.some((l) => l.startsWith('the stored flows were not started')), t.logs.join('\n'));
    const flows = (await t.call('GET', '/flows', { role: 'viewer' })).json();
    assert.deepEqual(flows.find((n: FlowConfigNode) => n.id === 'bad')?.rules, [BROKEN], 'the editor gets it back to fix');
  });

  it('accepts deploys that keep it as it is (moved too) and names it in the audit record; refuses one that changes it or adds another, changing nothing', async () => {
    t = await startTestServer({ flows: STORED });
    for (const type of ['full', 'flows', 'nodes']) {
      const next = withNode(withNode(STORED, 'set', { rules: [{ t: 'set', p: 'payload', pt: 'msg', to: `hello ${type}`, tot: 'str' }] }), 'bad', { x: 200 });
      const res = await post(next, type);
      assert.equal(res.status, 204, `${type}: ${res.text}`);
      assert.equal((await t.call('GET', '/hello')).text, `hello ${type}`);
      assert.deepEqual(lastDeploy()?.details?.leftOut, ['bad'], type);
    }

    const before = await snapshot();
    const deploys = t.stack.audit.list({ event: 'flows.deploy' }).length;
    const current = (await t.call('GET', '/flows', { role: 'viewer' })).json();
    for (const flows of [
      withNode(current, 'bad', { rules: [{ ...BROKEN, to: '$other(' }] }),
      [...current, { id: 'bad2', type: 'change', z: 't1', rules: [BROKEN], wires: [[]] }],
    ]) {
      const res = await post(flows);
      assert.equal(res.status, 400, res.text);
      const issues = res.json().issues as { nodeId: string; property: string; message: string }[];
      assert.equal(issues.length, 1);
      assert.equal(issues[0]!.property, 'rules');
      assert.match(issues[0]!.message, /Invalid JSONata expression/);
    }
    assert.deepEqual(await snapshot(), before);
    assert.equal(t.stack.audit.list({ event: 'flows.deploy' }).length, deploys);
    assert.equal(t.stack.audit.list({ event: 'flows.deploy.refused' }).length, 2);

    // A reload reads the file as a start does, but is a deploy: the same rule.
    const file = join(t.userDir, 'flows.json');
    await writeFile(file, JSON.stringify(withNode(withNode(current, 'set', { rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'reloaded', tot: 'str' }] }), 'bad', { y: 400 })));
    assert.equal((await post(undefined, 'reload')).status, 204);
    assert.equal((await t.call('GET', '/hello')).text, 'reloaded');
    assert.deepEqual(t.stack.audit.list({ event: 'flows.reload' }).at(-1)?.details?.leftOut, ['bad']);
    await writeFile(file, JSON.stringify(withNode(current, 'bad', { rules: [{ ...BROKEN, to: '$edited(' }] })));
    const refusedReload = await post(undefined, 'reload');
    assert.equal(refusedReload.status, 400, refusedReload.text);
    assert.equal((await t.call('GET', '/hello')).text, 'reloaded', 'what runs stays');

    const fixed = await post(withNode(current, 'bad', { rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'ok', tot: 'str' }] }));
    assert.equal(fixed.status, 204, fixed.text);
    assert.equal(lastDeploy()?.details?.leftOut, undefined, 'nothing left out any more');
    assert.deepEqual(t.runtime.engine.leftOutNodes(), []);
  });
});
