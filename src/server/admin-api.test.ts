import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './testing/test-server.js';

const FLOWS = [
  { id: 't1', type: 'tab', label: 'Flow 1' },
  { id: 'inj', type: 'inject', z: 't1', props: [{ p: 'payload' }], payload: 'hi', payloadType: 'str', wires: [['dbg']] },
  { id: 'dbg', type: 'debug', z: 't1', active: true, tosidebar: true, complete: 'payload', targetType: 'msg', wires: [] },
];

describe('admin API: flows', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it('deploys with v1 (204) and reads back the array; v2 answers { flows, rev }', async () => {
    const post = await t.call('POST', '/flows', { role: 'editor', body: FLOWS });
    assert.equal(post.status, 204, post.text);
    const v1 = await t.call('GET', '/flows', { role: 'viewer' });
    assert.equal(v1.status, 200);
    assert.deepEqual(v1.json().map((n: { id: string }) => n.id), ['t1', 'inj', 'dbg']);
    const v2 = await t.call('GET', '/flows', { role: 'viewer', headers: { 'node-red-api-version': 'v2' } });
    assert.equal(typeof v2.json().rev, 'string');
    assert.equal(v2.json().flows.length, 3);
    const saved = JSON.parse(await readFile(join(t.userDir, 'flows.json'), 'utf8'));
    assert.equal(saved.length, 3);
  });

  it('answers 409 version_mismatch for a v2 deploy from a stale rev, and changes nothing', async () => {
    const res = await t.call('POST', '/flows', { role: 'editor', headers: { 'node-red-api-version': 'v2' }, body: { flows: [], rev: 'stale' } });
    assert.equal(res.status, 409);
    assert.equal(res.json().code, 'version_mismatch');
    assert.equal(t.runtime.engine.getFlows().flows.length, 3);
  });

  it('keeps credentials out of GET /flows and the flows file, and shows passwords only as has_<name>', async () => {
    const flows = [...FLOWS, { id: 'cfg', type: 'global-config', env: [], credentials: { secret: 'hunter2-password' } }];
    const v2 = await t.call('GET', '/flows', { role: 'editor', headers: { 'node-red-api-version': 'v2' } });
    const res = await t.call('POST', '/flows', { role: 'editor', headers: { 'node-red-api-version': 'v2' }, body: { flows, rev: v2.json().rev } });
    assert.equal(res.status, 200, res.text);
    const read = await t.call('GET', '/flows', { role: 'admin' });
    assert.doesNotMatch(read.text, /hunter2/);
    assert.doesNotMatch(await readFile(join(t.userDir, 'flows.json'), 'utf8'), /hunter2/);
    assert.doesNotMatch(await readFile(join(t.userDir, 'flows.cred'), 'utf8'), /hunter2/);
    const creds = await t.call('GET', '/credentials/global-config/cfg', { role: 'admin' });
    assert.deepEqual(creds.json(), { has_secret: true });
  });

  it('refuses duplicate ids and missing wire targets with 400 and the issues, and the running flows stay', async () => {
    const before = t.runtime.engine.getFlows();
    const bad = [
      { id: 't1', type: 'tab' },
      { id: 'a', type: 'inject', z: 't1', wires: [['ghost']] },
      { id: 'a', type: 'debug', z: 't1', wires: [] },
    ];
    const res = await t.call('POST', '/flows', { role: 'editor', body: bad });
    assert.equal(res.status, 400);
    const body = res.json();
    assert.equal(body.code, 'invalid_input');
    const codes = body.issues.map((i: { code: string }) => i.code);
    assert.ok(codes.includes('duplicate_id') && codes.includes('missing_wire_target'), codes.join());
    assert.equal(t.runtime.engine.getFlows().rev, before.rev);
    assert.ok(t.runtime.engine.getNode('inj'));
  });

  it('refuses a deploy using a type of a disabled node set, naming the node, and deploys it again once enabled', async () => {
    const flows = [...t.runtime.engine.getFlows().flows, { id: 'note', type: 'comment', z: 't1', name: 'n', info: '' }];
    const off = await t.call('PUT', '/nodes/node-red/comment', { role: 'admin', body: { enabled: false } });
    assert.equal(off.status, 200, off.text);
    const refused = await t.call('POST', '/flows', { role: 'editor', body: flows });
    assert.equal(refused.status, 400, refused.text);
    assert.deepEqual(refused.json().issues.map((i: { code: string; nodeId: string }) => [i.code, i.nodeId]), [['type_disabled', 'note']]);
    const on = await t.call('PUT', '/nodes/node-red/comment', { role: 'admin', body: { enabled: true } });
    assert.equal(on.status, 200, on.text);
    const deployed = await t.call('POST', '/flows', { role: 'editor', body: flows });
    assert.equal(deployed.status, 204, deployed.text);
  });

  it('serves a single flow, adds, replaces and deletes one', async () => {
    const one = await t.call('GET', '/flow/t1', { role: 'viewer' });
    assert.equal(one.status, 200);
    assert.deepEqual(one.json().nodes.map((n: { id: string }) => n.id).sort(), ['dbg', 'inj']);
    const added = await t.call('POST', '/flow', { role: 'editor', body: { id: 't2', label: 'Two', nodes: [{ id: 'c2', type: 'comment', wires: [] }] } });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.json(), { id: 't2' });
    assert.equal(t.runtime.engine.getFlows().flows.find((n) => n.id === 'c2')?.z, 't2');
    const put = await t.call('PUT', '/flow/t2', { role: 'editor', body: { id: 't2', label: 'Two!', nodes: [] } });
    assert.equal(put.status, 200, put.text);
    assert.equal(t.runtime.engine.getFlows().flows.find((n) => n.id === 'c2'), undefined);
    const del = await t.call('DELETE', '/flow/t2', { role: 'editor' });
    assert.equal(del.status, 204);
    assert.equal((await t.call('GET', '/flow/t2', { role: 'viewer' })).status, 404);
  });

  it('stops and starts the flows through /flows/state', async () => {
    assert.deepEqual((await t.call('POST', '/flows/state', { role: 'editor', body: { state: 'stop' } })).json(), { state: 'stop' });
    assert.deepEqual((await t.call('GET', '/flows/state', { role: 'viewer' })).json(), { state: 'stop' });
    assert.deepEqual((await t.call('POST', '/flows/state', { role: 'editor', body: { state: 'start' } })).json(), { state: 'start' });
  });

  it('keeps every deploy in the history, diffs two versions and rolls back as an audited deploy', async () => {
    const list = (await t.call('GET', '/redoubt/history', { role: 'viewer' })).json();
    assert.ok(list.length >= 3, JSON.stringify(list));
    const first = list[list.length - 1].version;
    const last = list[0].version;
    const diff = await t.call('GET', `/redoubt/history/${first}/diff/${last}`, { role: 'viewer' });
    assert.equal(diff.status, 200);
    assert.ok(diff.json().added.includes('cfg'));
    const version = await t.call('GET', `/redoubt/history/${first}`, { role: 'viewer' });
    assert.equal(version.json().flows.length, 3);
    assert.equal((await t.call('POST', `/redoubt/history/${first}/rollback`, { role: 'operator' })).status, 403);
    const rb = await t.call('POST', `/redoubt/history/${first}/rollback`, { role: 'editor' });
    assert.equal(rb.status, 200, rb.text);
    assert.equal(t.runtime.engine.getFlows().flows.length, 3);
    const audit = t.stack.audit.list({ event: 'flows.deploy' });
    assert.equal(audit.at(-1)?.details?.rollbackTo, first);
  });
});
