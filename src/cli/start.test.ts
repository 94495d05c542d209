import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('./main.ts', import.meta.url).pathname;

/** Starts `redoubt start` on a user dir, waits for `until` in its output, then stops it with `signal`. */
async function runCli(userDir: string, until: RegExp, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ output: string; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--user-dir', userDir], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    await writeFile(join(dir, 'redoubt.yaml'), 'contextStorage:\n  default: { module: localfilesystem }\n');
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

  it('refuses to start with an invalid redoubt.yaml, naming the setting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-cli-'));
    await writeFile(join(dir, 'redoubt.yaml'), 'execEnabled: "yes please"\n');
    const { output, code } = await runCli(dir, /never/);
    assert.equal(code, 1);
    assert.match(output, /execEnabled/);
  });

  it('keeps running with an invalid flows.json and says what is wrong', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-cli-'));
    await writeFile(join(dir, 'flows.json'), '[{"id":"a","type":"inject","z":"missing"}]');
    const { output, code } = await runCli(dir, /Redoubt running/);
    assert.equal(code, 0);
    assert.match(output, /flow 'missing', which does not exist/);
  });
});
