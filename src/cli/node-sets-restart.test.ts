// An operator disables a node set over the Admin API and restarts Redoubt: the set must stay off,
// its type must act as not installed (deploys refused, stored flows that use it wait), and
// enabling it must start what waited without restarting what ran.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startRedoubt, type Started } from './start.js';

const ENV = { REDOUBT_CREDENTIAL_KEY: 'a long test passphrase here' };
const ADMIN = { username: 'ada', password: 'a long admin password 42' };

const tab = (id: string, label: string, say: string) => [
  { id, type: 'tab', label },
  { id: `${id}-in`, type: 'inject', z: id, once: true, onceDelay: 0.01, props: [{ p: 'payload' }], payload: say, payloadType: 'str', wires: [[`${id}-out`]] },
  { id: `${id}-out`, type: 'debug', z: id, active: true, tosidebar: false, console: true, complete: 'payload', targetType: 'msg', wires: [] },
];
const execNode = (z: string) => ({ id: `${z}-exec`, type: 'exec', z, command: 'id', addpay: '', append: '', useSpawn: 'false', timer: '', winHide: false, oldrc: false, wires: [[], [], []] });

interface Running {
  started: Started;
  lines: string[];
  base: string;
  token: string;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
}

async function start(dir: string, setup: boolean): Promise<Running> {
  const lines: string[] = [];
  const started = await startRedoubt({ userDir: dir, port: 0, write: (l) => void lines.push(l), env: ENV });
  const base = `http://127.0.0.1:${started.port}`;
  try {
    if (setup) {
      const link = /\/setup#([A-Za-z0-9_-]+)/.exec(lines.join('\n'));
      assert.ok(link, lines.join('\n'));
      const res = await fetch(`${base}/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: link[1], ...ADMIN }) });
      assert.equal(res.status, 201, await res.text());
    }
    const login = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', ...ADMIN }),
    });
    assert.equal(login.status, 200, await login.clone().text());
    const token = ((await login.json()) as { access_token: string }).access_token;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    };
    return { started, lines, base, token, api };
  } catch (err) {
    await started.stop();
    throw err;
  }
}

async function waitFor(lines: string[], pattern: RegExp, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!pattern.test(lines.join('\n'))) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${pattern}:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const count = (lines: string[], text: string) => lines.filter((l) => l.includes(text)).length;

describe('disabled node sets across restarts', () => {
  it('stay disabled after a restart: listed as disabled, refused at deploy, and stored flows that use them wait until enabled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-nodesets-'));
    await writeFile(join(dir, 'redoubt.yaml'), 'port: 0\n');
    await writeFile(join(dir, 'flows.json'), JSON.stringify(tab('t1', 'Main', 'main alive')));

    // 1. Disable exec over the Admin API.
    let run = await start(dir, true);
    try {
      const off = await run.api('PUT', '/nodes/node-red/exec', { enabled: false });
      assert.equal(off.status, 200, JSON.stringify(off.json));
      assert.equal(off.json.enabled, false);
    } finally {
      await run.started.stop();
    }
    const db = new Database(join(dir, 'redoubt.db'), { readonly: true });
    const rows = db.prepare('SELECT set_id, disabled_by FROM disabled_node_sets').all();
    db.close();
    assert.deepEqual(rows, [{ set_id: 'node-red/exec', disabled_by: 'ada' }]);

    // 2. After a restart it is still disabled, and a deploy that uses it changes nothing.
    run = await start(dir, false);
    try {
      const list = await run.api('GET', '/nodes');
      assert.equal(list.status, 200);
      const sets = list.json as Array<{ id: string; enabled: boolean }>;
      assert.equal(sets.find((s) => s.id === 'node-red/exec')?.enabled, false);
      assert.equal(sets.find((s) => s.id === 'node-red/inject')?.enabled, true);
      assert.equal((await run.api('GET', '/nodes/node-red/exec')).json.enabled, false);

      const filesBefore = (await readdir(dir)).sort();
      const flowsBefore = await readFile(join(dir, 'flows.json'), 'utf8');
      const deploy = await run.api('POST', '/flows', [...tab('t1', 'Main', 'main alive'), execNode('t1')]);
      assert.equal(deploy.status, 400, JSON.stringify(deploy.json));
      assert.ok(deploy.json.issues.some((i: { code: string; nodeId: string }) => i.code === 'type_disabled' && i.nodeId === 't1-exec'), JSON.stringify(deploy.json));
      assert.equal(await readFile(join(dir, 'flows.json'), 'utf8'), flowsBefore);
      assert.deepEqual((await readdir(dir)).sort(), filesBefore);
      assert.equal((await run.api('GET', '/flows')).json.length, 3, 'the running flows are unchanged');

      // A disable that cannot be stored (here a trigger refuses the row) is not made at all.
      const side = new Database(join(dir, 'redoubt.db'));
      side.exec(`CREATE TRIGGER refuse_all BEFORE INSERT ON disabled_node_sets BEGIN SELECT RAISE(ABORT, 'disk says no'); END;`);
      try {
        const refused = await run.api('PUT', '/nodes/node-red/comment', { enabled: false });
        assert.equal(refused.status, 500);
        assert.equal(refused.json.code, 'nodes_not_saved');
        assert.doesNotMatch(JSON.stringify(refused.json), /disk says no/, 'the cause stays in the server log');
        assert.equal((await run.api('GET', '/nodes/node-red/comment')).json.enabled, true);
      } finally {
        side.exec('DROP TRIGGER refuse_all');
        side.close();
      }
    } finally {
      await run.started.stop();
    }

    // 3. A flows.json edited on disk to use exec: that tab waits, the other runs.
    await writeFile(join(dir, 'flows.json'), JSON.stringify([...tab('t1', 'Main', 'main alive'), ...tab('t2', 'Shell', 'shell alive'), execNode('t2')]));
    run = await start(dir, false);
    try {
      await waitFor(run.lines, /main alive/);
      assert.match(run.lines.join('\n'), /flow 'Shell' waits for missing node types: exec \(disabled\)/);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(count(run.lines, 'shell alive'), 0, 'a tab that uses a disabled type must not start');

      // 4. Enabling exec starts the waiting tab only.
      const on = await run.api('PUT', '/nodes/node-red/exec', { enabled: true });
      assert.equal(on.status, 200, JSON.stringify(on.json));
      assert.equal(on.json.enabled, true);
      await waitFor(run.lines, /shell alive/);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(count(run.lines, 'main alive'), 1, 'the running tab was not restarted');
      assert.equal(count(run.lines, 'shell alive'), 1);
    } finally {
      await run.started.stop();
    }

    // 5. Enabled is kept too: the next start runs both tabs at once.
    run = await start(dir, false);
    try {
      await waitFor(run.lines, /shell alive/);
      assert.doesNotMatch(run.lines.join('\n'), /waits for missing node types/);
      assert.equal((await run.api('GET', '/nodes/node-red/exec')).json.enabled, true);
    } finally {
      await run.started.stop();
    }
  });
});
