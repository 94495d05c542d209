// `npm start` runs the esbuild bundle (scripts/bundle.mjs), while every other test runs src/
// through tsx. This test builds the bundle and runs it as a user would: the places where a bundle
// can differ from the modules it came from are the run-time paths (package.json, the sandbox's
// in-isolate scripts), the packages left outside it (native addons, iconv-lite, the lazily
// required ones) and CommonJS dependencies asking for Node's built-ins.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PASSWORD = 'Bundle-test-pw-7Kq!x';

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(main: string, args: string[], stdin?: string): Run {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  child.stdin!.end(stdin ?? '');
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then(() => clearTimeout(killer));
  return { child, output: () => output, exited };
}

async function waitFor(r: Run, pattern: RegExp): Promise<RegExpExecArray> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = pattern.exec(r.output());
    if (m) return m;
    if (r.child.exitCode !== null || Date.now() > deadline) assert.fail(`never printed ${pattern}:\n${r.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the bundle npm start runs', () => {
  let outdir: string;
  let main: string;

  before(async () => {
    // Two folders below the repository root, as dist/bundle is: the bundle finds package.json at ../..
    outdir = join(ROOT, '.cache', `bundle-test-${process.pid}`);
    const { bundleRedoubt } = (await import(join(ROOT, 'scripts', 'bundle.mjs'))) as { bundleRedoubt: (dir: string) => Promise<{ main: string }> };
    main = (await bundleRedoubt(outdir)).main;
  });

  after(async () => {
    await rm(outdir, { recursive: true, force: true });
  });

  it('adds a user, serves the admin API to that user only, runs a function node in its sandbox (beside a tab with a broken node) and stops cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-bundle-'));
    try {
      const added = run(main, ['user', 'add', 'ops', '--role', 'admin', '--password-stdin', '--user-dir', dir], `${PASSWORD}\n`);
      assert.equal(await added.exited, 0, added.output());

      await writeFile(join(dir, 'redoubt.yaml'), 'port: 0\nhost: 127.0.0.1\n');
      await writeFile(
        join(dir, 'flows.json'),
        JSON.stringify([
          { id: 't', type: 'tab', label: 'T' },
          { id: 'i', type: 'inject', z: 't', once: true, onceDelay: 0.05, props: [{ p: 'payload' }], payload: '6', payloadType: 'num', wires: [['f']] },
          { id: 'f', type: 'function', z: 't', func: "msg.payload = 'bundle-' + (msg.payload * 7) + '-' + typeof process;\nreturn msg;", outputs: 1, wires: [['d']] },
          { id: 'd', type: 'debug', z: 't', active: true, tosidebar: false, console: true, complete: 'payload', targetType: 'msg', wires: [] },
          // As a Node-RED flows file may hold: a node Node-RED deploys whose settings cannot work.
          { id: 't2', type: 'tab', label: 'Broken' },
          { id: 'bad', type: 'change', z: 't2', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '$foo(', tot: 'jsonata' }], wires: [[]] },
        ]),
      );
      const server = run(main, ['start', '--user-dir', dir]);
      try {
        const url = (await waitFor(server, /Serving the admin API at (http:\/\/127\.0\.0\.1:\d+)\//))[1]!;
        // The function node ran in the isolate: no `process` there.
        await waitFor(server, /bundle-42-undefined/);
        assert.match(server.output(), /node 'bad' \(change\) does nothing until its settings are fixed: property 'rules'/);
        assert.doesNotMatch(server.output(), /stored flows were not started/);

        const anonymous = await fetch(`${url}/flows`);
        assert.equal(anonymous.status, 401);

        const wrong = await fetch(`${url}/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: 'ops', password: 'not-it' }).toString(),
        });
        assert.equal(wrong.status, 401);
        assert.doesNotMatch(await wrong.text(), /access_token/);

        const login = await fetch(`${url}/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: 'ops', password: PASSWORD }).toString(),
        });
        assert.equal(login.status, 200);
        const token = ((await login.json()) as { access_token: string }).access_token;
        const flows = await fetch(`${url}/flows`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(flows.status, 200);
        assert.ok(((await flows.json()) as unknown[]).some((n) => (n as { id?: string }).id === 'f'));
      } finally {
        server.child.kill('SIGTERM');
      }
      assert.equal(await server.exited, 0, server.output());
      assert.match(server.output(), /Stopped flows/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an invalid redoubt.yaml naming the setting, as the unbundled start does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-bundle-'));
    try {
      await writeFile(join(dir, 'redoubt.yaml'), 'execEnabled: "yes please"\n');
      const server = run(main, ['start', '--user-dir', dir]);
      assert.equal(await server.exited, 1);
      assert.match(server.output(), /execEnabled/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("leaves the test helper's libraries (sinon, should, supertest) out of what the server runs", async () => {
    // They are dependencies only because redoubt/test-helper hands them to contrib specs, as
    // node-red-node-test-helper does; the server must never load them.
    const scripts = (await readdir(outdir)).filter((f) => f.endsWith('.js'));
    assert.ok(scripts.includes('main.js'));
    for (const file of scripts) {
      const text = await readFile(join(outdir, file), 'utf8');
      // should's own parts are the should-equal, should-format... packages.
      assert.doesNotMatch(text, /sinon|supertest|superagent|should-(equal|format|type|util)/, file);
    }
  });
});
