import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('./main.ts', import.meta.url).pathname;

/** Starts `redoubt start` on a user dir, waits for `until` in its output, then stops it with `signal`. */
async function runCli(userDir: string, until: RegExp, signal: NodeJS.Signals = 'SIGTERM', extra: string[] = []): Promise<{ output: string; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--user-dir', userDir, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let signalled = false;
  const onData = (d: Buffer) => {
    output += d.toString();
    if (!signalled && until.test(output)) {
      signalled = true;
      child.kill(signal);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(killer);
  return { output, code };
}

describe('redoubt start', () => {
  it('runs flows.json from the user dir, logs debug output to the console and flushes file context on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-cli-'));
    await writeFile(join(dir, 'redoubt.yaml'), 'port: 0\ncontextStorage:\n  default: { module: localfilesystem }\n');
    await writeFile(
      join(dir, 'flows.json'),
      JSON.stringify([
        { id: 't', type: 'tab', label: 'T' },
        { id: 'i', type: 'inject', z: 't', once: true, onceDelay: 0.05, props: [{ p: 'payload' }], payload: 'hello', payloadType: 'str', wires: [['c']] },
        { id: 'c', type: 'change', z: 't', rules: [{ t: 'set', p: 'saved', pt: 'flow', to: 'payload', tot: 'msg' }], wires: [['d']] },
        { id: 'd', type: 'debug', z: 't', active: true, tosidebar: false, console: true, complete: 'payload', targetType: 'msg', wires: [] },
      ]),
    );
    const { output, code } = await runCli(dir, /hello/);
    assert.equal(code, 0, output);
    assert.match(output, /hello/);
    assert.match(output, /Stopped flows/);
    const contextDir = join(dir, 'context', 't');
    const files = await readdir(contextDir);
    const stored = JSON.parse(await readFile(join(contextDir, files[0]!), 'utf8'));
    assert.equal(stored.saved, 'hello');
  });

  it('makes a user directory that does not exist yet (owner-only) and serves from it', async () => {
    // `npm start` on a fresh machine: ~/.redoubt is not there yet.
    const parent = await mkdtemp(join(tmpdir(), 'redoubt-cli-'));
    const dir = join(parent, 'new', 'install');
    const { output, code } = await runCli(dir, /Redoubt running/, 'SIGTERM', ['--port', '0']);
    assert.equal(code, 0, output);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.ok((await readdir(dir)).includes('redoubt.db'));
  });

  it('refuses to start with an invalid redoubt.yaml, naming the setting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-cli-'));
    await writeFile(join(dir, 'redoubt.yaml'), 'execEnabled: "yes please"\n');
    const { output, code } = await runCli(dir, /never/);
    assert.equal(code, 1);
    assert.match(output, /execEnabled/);
  });

  it('keeps running with an invalid flows.json and says what is wrong', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-cli-'));
    await writeFile(join(dir, 'redoubt.yaml'), 'port: 0\n');
    await writeFile(join(dir, 'flows.json'), '[{"id":"a","type":"inject","z":"missing"}]');
    const { output, code } = await runCli(dir, /Redoubt running/);
    assert.equal(code, 0);
    assert.match(output, /flow 'missing', which does not exist/);
  });
});

const ADMIN_CLI = new URL('../../node_modules/node-red-admin/node-red-admin.js', import.meta.url).pathname;

/** Runs node-red-admin with HOME in `home`; answers its prompts in order as they appear. */
async function nodeRedAdmin(home: string, args: string[], answers: Array<[RegExp, string]> = []): Promise<{ output: string; code: number | null }> {
  const child = spawn(process.execPath, [ADMIN_CLI, ...args], { env: { ...process.env, HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const pending = [...answers];
  const onData = (d: Buffer) => {
    output += d.toString();
    while (pending.length > 0 && pending[0]![0].test(output)) child.stdin.write(pending.shift()![1] + '\n');
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(killer);
  return { output, code };
}

describe('redoubt start serving the admin API', () => {
  it('prints a one-time setup link; node-red-admin logs in, lists, shows and disables/enables nodes', async () => {
    const { startRedoubt } = await import('./start.js');
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-serve-'));
    const home = await mkdtemp(join(tmpdir(), 'redoubt-home-'));
    const lines: string[] = [];
    const started = await startRedoubt({ userDir: dir, port: 0, write: (l) => void lines.push(l), env: { REDOUBT_CREDENTIAL_KEY: 'a long test passphrase here' } });
    try {
      const link = /http:\/\/127\.0\.0\.1:(\d+)\/setup#([A-Za-z0-9_-]+)/.exec(lines.join('\n'));
      assert.ok(link, lines.join('\n'));
      assert.equal(Number(link[1]), started.port);
      const base = `http://127.0.0.1:${started.port}`;
      assert.equal((await fetch(`${base}/flows`)).status, 401, 'nothing is served without a login');
      const setup = await fetch(`${base}/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: link[2], username: 'ada', password: 'a long admin password 42' }) });
      assert.equal(setup.status, 201, await setup.text());

      assert.equal((await nodeRedAdmin(home, ['target', base])).code, 0);
      const login = await nodeRedAdmin(home, ['login'], [[/Username:/, 'ada'], [/Password:/, 'a long admin password 42']]);
      assert.match(login.output, /Logged in/, login.output);
      const saved = JSON.parse(await readFile(join(home, '.node-red', '.cli-config.json'), 'utf8'));
      assert.equal(saved.tokens.token_type, 'Bearer');

      const list = await nodeRedAdmin(home, ['list']);
      assert.equal(list.code, 0, list.output);
      assert.match(list.output, /node-red\/inject/);
      assert.match(list.output, /enabled/);
      const info = await nodeRedAdmin(home, ['info', 'node-red/comment']);
      assert.match(info.output, /comment/, info.output);
      const disable = await nodeRedAdmin(home, ['disable', 'node-red/comment']);
      assert.match(disable.output, /node-red\/comment[\s\S]*disabled/, disable.output);
      const disabledDeploy = await fetch(`${base}/flows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${saved.tokens.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify([{ id: 't', type: 'tab' }, { id: 'c', type: 'comment', z: 't' }]),
      });
      assert.equal(disabledDeploy.status, 400, 'a disabled type cannot be deployed');
      const enable = await nodeRedAdmin(home, ['enable', 'node-red/comment']);
      assert.match(enable.output, /node-red\/comment[\s\S]*enabled/, enable.output);

      const wrong = await nodeRedAdmin(home, ['login'], [[/Username:/, 'ada'], [/Password:/, 'not the password']]);
      assert.match(wrong.output, /Login failed/);
    } finally {
      await started.stop();
    }
  });
});
