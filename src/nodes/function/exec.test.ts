import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helper } from '../../compat/test-helper.js';
import { helperNodes, record, recordStatuses, settle as settleRounds, type AnyMsg } from '../test-kit.js';
import { EXEC_DISABLED_MESSAGE, migrateExec, splitCommandLine, textOrBuffer } from './exec.js';

interface Outputs {
  stdout: AnyMsg[];
  stderr: AnyMsg[];
  rc: AnyMsg[];
  statuses: AnyMsg[];
  /** Resolves with the first message on the return-code output. */
  returned: Promise<AnyMsg>;
  send(msg: AnyMsg): void;
}

async function load(props: AnyMsg, settings: AnyMsg = { execEnabled: true }): Promise<Outputs> {
  helper.init(undefined, settings);
  await helper.load([], [
    { id: 'f', type: 'tab' },
    { id: 'e', type: 'exec', z: 'f', addpay: '', append: '', useSpawn: 'false', oldrc: false, ...props, wires: [['h1'], ['h2'], ['h3']] },
    ...helperNodes(['h1', 'h2', 'h3']),
  ]);
  const stdout = record<AnyMsg>('h1');
  const stderr = record<AnyMsg>('h2');
  const rc: AnyMsg[] = [];
  const returned = new Promise<AnyMsg>((resolve) =>
    helper.getNode('h3')!.on('input', (m: AnyMsg) => {
      rc.push(m);
      resolve(m);
    }),
  );
  const statuses = recordStatuses('e');
  return { stdout, stderr, rc, statuses, returned, send: (m) => helper.getNode('e')!.receive(m) };
}

const settle = () => settleRounds(4);
const errorsLogged = () => helper.log().args.filter(([e]) => e.level === 20).map(([e]) => String(e.msg));

afterEach(async () => {
  await helper.unload();
  helper.init(undefined, {});
});

describe('exec node: configuration', () => {
  it('reads legacy boolean addpay as Node-RED does', () => {
    assert.equal(migrateExec({ id: 'e', type: 'exec' }).addpay, 'payload');
    assert.equal(migrateExec({ id: 'e', type: 'exec', addpay: true }).addpay, 'payload');
    assert.equal(migrateExec({ id: 'e', type: 'exec', addpay: false }).addpay, '');
    assert.equal(migrateExec({ id: 'e', type: 'exec', addpay: 'foo.bar' }).addpay, 'foo.bar');
  });
  it('splits a spawn command line on spaces, keeping quoted parts whole', () => {
    assert.deepEqual(splitCommandLine('printf "%s-%s" a "b c"'), ['printf', '%s-%s', 'a', 'b c']);
    assert.deepEqual(splitCommandLine('   '), []);
  });
  it('refuses a malformed addpay property and a non-numeric timeout', async () => {
    await assert.rejects(load({ command: 'echo', addpay: 'a[' }), /addpay/);
    await assert.rejects(load({ command: 'echo', timer: 'soon' }), /timer/);
  });
});

describe('exec node: disabled by default', () => {
  for (const useSpawn of ['false', 'true']) {
    it(`refuses to run anything (${useSpawn === 'true' ? 'spawn' : 'exec'} mode) and says how to enable it`, async () => {
      const marker = join(tmpdir(), `redoubt-exec-${process.pid}-${Date.now()}-${useSpawn}`);
      const { stdout, rc, statuses, send } = await load({ command: `touch ${marker}`, useSpawn }, {});
      send({ payload: '' });
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(existsSync(marker), false);
      assert.equal(stdout.length + rc.length, 0);
      assert.deepEqual(errorsLogged().filter((m) => m.includes(EXEC_DISABLED_MESSAGE)).length, 1);
      assert.equal(statuses.at(-1)!.fill, 'red');
      send({ kill: 'SIGTERM' });
      await settle();
      assert.equal(errorsLogged().length, 2);
    });
  }
  it('stays disabled when execEnabled is anything but true', async () => {
    const { send } = await load({ command: 'echo hi' }, { execEnabled: 'yes' });
    send({ payload: '' });
    await settle();
    assert.match(errorsLogged()[0]!, /execEnabled: true in redoubt\.yaml/);
  });
});

describe('exec node: exec mode', () => {
  it('runs the command with the payload appended and sends stdout, then the return code', async () => {
    const { stdout, stderr, returned, statuses, send } = await load({ command: 'echo', addpay: 'payload', append: 'world' });
    send({ payload: 'hello', topic: 'kept' });
    const rc = await returned;
    await settle();
    assert.deepEqual(rc.payload, { code: 0 });
    assert.equal(stdout.length, 1);
    assert.equal(stdout[0]!.payload, 'hello world\n');
    assert.equal(stdout[0]!.topic, 'kept');
    assert.deepEqual(stdout[0]!.rc, { code: 0 });
    assert.equal(stderr.length, 0);
    assert.match(statuses[0]!.text, /^pid:\d+$/);
    assert.deepEqual(statuses.at(-1), {});
  });
  it('appends another message property named by addpay', async () => {
    const { stdout, returned, send } = await load({ command: 'echo', addpay: 'args.first' });
    send({ payload: 'ignored', args: { first: 'chosen' } });
    await returned;
    await settle();
    assert.equal(stdout[0]!.payload, 'chosen\n');
  });
  it('sends stderr and the failing code, with message, on outputs 2 and 3', async () => {
    const { stdout, stderr, returned, statuses, send } = await load({ command: 'printf oops >&2; exit 3' });
    send({ payload: '' });
    const rc = await returned;
    await settle();
    assert.equal(rc.payload.code, 3);
    assert.match(rc.payload.message, /Command failed/);
    assert.equal(stderr[0]!.payload, 'oops');
    assert.equal(stderr[0]!.rc.code, 3);
    assert.equal(stdout[0]!.payload, '');
    assert.deepEqual(statuses.at(-1), { fill: 'red', shape: 'dot', text: 'error:3' });
  });
  it('sends output that is not UTF-8 as a Buffer', async () => {
    const { stdout, returned, send } = await load({ command: "printf '\\377\\376'" });
    send({ payload: '' });
    await returned;
    await settle();
    assert.ok(Buffer.isBuffer(stdout[0]!.payload));
    assert.deepEqual([...stdout[0]!.payload], [0xff, 0xfe]);
  });
  it('sends printable UTF-8 as text, and output with control bytes as a Buffer, as Node-RED does', async () => {
    const { stdout, returned, send } = await load({ command: "printf 'tab\\there\\r\\n\\303\\251'" });
    send({ payload: '' });
    await returned;
    await settle();
    assert.equal(stdout[0]!.payload, 'tab\there\r\né');
    for (const bytes of [[0x01, 0x41], [0x41, 0x1b, 0x5b], [0x7f]]) {
      const out = textOrBuffer(Buffer.from(bytes));
      assert.ok(Buffer.isBuffer(out), `bytes ${bytes.join(',')} stay a Buffer`);
    }
    assert.equal(textOrBuffer(Buffer.from('plain é\n')), 'plain é\n');
  });
  it('sends no return code on success when oldrc is set', async () => {
    const { stdout, rc, send } = await load({ command: 'echo ok', oldrc: true });
    const got = new Promise((r) => helper.getNode('h1')!.on('input', r));
    send({ payload: '' });
    await got;
    await settle();
    assert.equal(stdout[0]!.payload, 'ok\n');
    assert.equal(rc.length, 0);
    assert.equal('rc' in stdout[0]!, false);
  });
  it('kills a command that runs past the timeout', async () => {
    const { returned, send } = await load({ command: 'sleep 5', timer: '0.2' });
    send({ payload: '' });
    const rc = await returned;
    assert.equal(rc.payload.code, null);
    assert.equal(rc.payload.signal, 'SIGTERM');
  });
});

describe('exec node: spawn mode', () => {
  it('streams stdout and sends the return code when the command ends', async () => {
    const { stdout, returned, send } = await load({ command: 'printf "%s|%s"', addpay: 'payload', append: '"b c"', useSpawn: 'true' });
    send({ payload: 'a' });
    const rc = await returned;
    await settle();
    assert.deepEqual(rc.payload, { code: 0 });
    assert.equal(stdout.map((m) => m.payload).join(''), 'a|b c');
  });
  it('ends a successful command with a yellow rc:0 status, as Node-RED does', async () => {
    const { returned, statuses, send } = await load({ command: 'true', useSpawn: 'true' });
    send({ payload: '' });
    await returned;
    await settle();
    assert.deepEqual(statuses.slice(-2), [{}, { fill: 'yellow', shape: 'dot', text: 'rc:0' }]);
  });
  it('streams stderr to the second output', async () => {
    const { stderr, returned, send } = await load({ command: 'ls /redoubt-no-such-dir', useSpawn: 'true' });
    send({ payload: '' });
    const rc = await returned;
    await settle();
    assert.ok(rc.payload.code > 0);
    assert.match(stderr.map((m) => m.payload).join(''), /redoubt-no-such-dir/);
  });
  it('reports a command that cannot start with a negative code', async () => {
    const { returned, statuses, send } = await load({ command: 'redoubt-made-up-command', useSpawn: 'true' });
    send({ payload: '' });
    const rc = await returned;
    assert.ok(rc.payload.code < 0);
    await settle();
    assert.equal(statuses.at(-1)!.fill, 'red');
  });
  it('sends the bare code when oldrc is set', async () => {
    const { returned, send } = await load({ command: 'true', useSpawn: 'true', oldrc: true });
    send({ payload: '' });
    assert.equal((await returned).payload, 0);
  });
  it('kills the running command on msg.kill with the signal named', async () => {
    const { returned, statuses, send } = await load({ command: 'sleep 5', useSpawn: 'true' });
    send({ payload: '' });
    await settle();
    send({ kill: 'SIGINT' });
    const rc = await returned;
    assert.deepEqual(rc.payload, { code: null, signal: 'SIGINT' });
    assert.ok(statuses.some((s) => s.text === 'killed'));
  });
  it('kills the process msg.pid names, using SIGTERM for a signal it does not know', async () => {
    const { returned, statuses, send } = await load({ command: 'sleep 5', useSpawn: 'true' });
    send({ payload: '' });
    await settle();
    const pid = Number(String(statuses[0]!.text).slice(4));
    send({ kill: 'please', pid });
    const rc = await returned;
    assert.deepEqual(rc.payload, { code: null, signal: 'SIGTERM' });
  });
  it('kills running commands when the flow stops', async () => {
    const { rc, statuses, send } = await load({ command: 'sleep 5', useSpawn: 'true' });
    send({ payload: '' });
    await settle();
    const pid = Number(String(statuses[0]!.text).slice(4));
    await helper.unload();
    const isAlive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let waited = 0; isAlive() && waited < 2000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    assert.equal(isAlive(), false);
    assert.equal(rc.length, 0);
  });
});
