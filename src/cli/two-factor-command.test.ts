import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { base32Decode, totpCode } from '../security/totp.js';
import { runUserCommand, type UserCommandIo } from './user-command.js';

function fakeIo(answer: (out: string) => string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: UserCommandIo = {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    env: {},
    readStdin: async () => answer(out.join('')),
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

describe('redoubt user 2fa', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'redoubt-2fa-cli-'));
    const add = fakeIo(() => 'a long enough password 9\n');
    assert.equal(await runUserCommand(['add', 'ann', '--role', 'admin', '--password-stdin', '--user-dir', dir], add.io), 0);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('reports no factor before enrolment', async () => {
    const io = fakeIo(() => '');
    assert.equal(await runUserCommand(['2fa', 'status', 'ann', '--user-dir', dir, '--json'], io.io), 0);
    assert.deepEqual(JSON.parse(io.out()), { username: 'ann', enrolled: false, pending: false, recoveryCodesLeft: 0 });
  });

  it('leaves the factor off when the confirming code is wrong', async () => {
    const io = fakeIo(() => '000000\n');
    const code = await runUserCommand(['2fa', 'enrol', 'ann', '--user-dir', dir], io.io);
    const secret = base32Decode(/secret: ([A-Z2-7]+)/.exec(io.out())![1]!);
    if (totpCode(secret, Date.now()) === '000000') return; // one chance in a million
    assert.equal(code, 1);
    assert.match(io.err(), /NOT on/);
  });

  it('enrols with the URI and ten recovery codes, confirmed by a code from the app', async () => {
    const io = fakeIo((out) => `${totpCode(base32Decode(/secret: ([A-Z2-7]+)/.exec(out)![1]!), Date.now())}\n`);
    assert.equal(await runUserCommand(['2fa', 'enrol', 'ann', '--user-dir', dir], io.io), 0, io.err());
    assert.match(io.out(), /otpauth:\/\/totp\/Redoubt:ann\?secret=/);
    assert.equal(io.out().match(/^ {2}[a-z2-7]{5}-[a-z2-7]{5}$/gm)?.length, 10);
    const status = fakeIo(() => '');
    await runUserCommand(['2fa', 'status', 'ann', '--user-dir', dir], status.io);
    assert.match(status.out(), /second factor on, 10 recovery code\(s\) left/);
  });

  it('refuses a second enrolment and disables on request', async () => {
    const again = fakeIo(() => '');
    assert.equal(await runUserCommand(['2fa', 'enrol', 'ann', '--user-dir', dir], again.io), 1);
    assert.match(again.err(), /already has a second factor/);
    const off = fakeIo(() => '');
    assert.equal(await runUserCommand(['2fa', 'disable', 'ann', '--user-dir', dir], off.io), 0);
    assert.match(off.out(), /removed for ann/);
  });

  it('answers unknown users and bad usage', async () => {
    const unknown = fakeIo(() => '');
    assert.equal(await runUserCommand(['2fa', 'status', 'zed', '--user-dir', dir], unknown.io), 1);
    const usage = fakeIo(() => '');
    assert.equal(await runUserCommand(['2fa', 'wipe', 'ann', '--user-dir', dir], usage.io), 2);
  });
});
