import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { base32Decode, totpCode } from '../../security/index.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from '../testing/test-server.js';

/** POST /auth/token as the editor sends it: a form. */
function login(t: TestServer, fields: Record<string, string>) {
  const form = new URLSearchParams({ client_id: 'node-red-editor', grant_type: 'password', scope: '*', ...fields }).toString();
  return t.call('POST', '/auth/token', { raw: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

describe('second factor through the admin API', () => {
  let t: TestServer;
  let keyDir: string;
  let secret: Buffer;
  let recoveryCodes: string[];

  before(async () => {
    keyDir = await mkdtemp(join(tmpdir(), 'redoubt-2fa-'));
    t = await startTestServer({ security: { secondFactorKeyFile: join(keyDir, 'second-factor.key'), login: { maxFailures: 4 } } });
  });
  after(async () => {
    await t.close();
    await rm(keyDir, { recursive: true, force: true });
    await rm(t.userDir, { recursive: true, force: true });
  });

  it('lists the code prompt at GET /auth/login', async () => {
    const res = await t.call('GET', '/auth/login');
    assert.deepEqual(res.json().prompts.map((p: { id: string }) => p.id), ['username', 'password', 'otp']);
  });

  it('refuses enrolment without a session', async () => {
    const res = await t.call('POST', '/redoubt/2fa/enrol', { body: {} });
    assert.equal(res.status, 401);
  });

  it('enrols in two steps: a pending secret does not yet change the login', async () => {
    const res = await t.call('POST', '/redoubt/2fa/enrol', { role: 'admin', body: {} });
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json();
    secret = base32Decode(body.secret);
    recoveryCodes = body.recoveryCodes;
    assert.equal(recoveryCodes.length, 10);
    assert.match(body.uri, /^otpauth:\/\/totp\/Redoubt:admin\?secret=/);
    assert.equal((await stat(join(keyDir, 'second-factor.key'))).mode & 0o777, 0o600);
    assert.deepEqual(t.stack.secondFactor!.adminsWithoutSecondFactor(), ['admin']);
    assert.equal((await login(t, { username: 'admin', password: TEST_PASSWORD })).status, 200);

    const wrong = await t.call('POST', '/redoubt/2fa/verify', { role: 'admin', body: { code: '000000' === totpCode(secret, Date.now()) ? '111111' : '000000' } });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json().code, 'invalid_code');
    const ok = await t.call('POST', '/redoubt/2fa/verify', { role: 'admin', body: { code: totpCode(secret, Date.now()) } });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json(), { enrolled: true, pending: false, recoveryCodesLeft: 10 });
    assert.deepEqual(t.stack.secondFactor!.adminsWithoutSecondFactor(), []);
    assert.equal(t.stack.audit.list({ event: 'auth.2fa.enrol' }).length, 1);
  });

  it('answers a missing or wrong code exactly as a wrong password', async () => {
    const wrongPassword = await login(t, { username: 'admin', password: 'not the password at all', otp: totpCode(secret, Date.now()) });
    const missing = await login(t, { username: 'editor', password: TEST_PASSWORD }); // no factor: still fine
    assert.equal(missing.status, 200);
    const noCode = await login(t, { username: 'admin', password: TEST_PASSWORD });
    const badCode = await login(t, { username: 'admin', password: TEST_PASSWORD, otp: '12345x' });
    assert.equal(wrongPassword.status, 401);
    for (const res of [noCode, badCode]) {
      assert.equal(res.status, wrongPassword.status);
      assert.equal(res.text, wrongPassword.text);
    }
    const failed = t.stack.audit.list({ event: 'auth.login.failed', order: 'desc', limit: 1 })[0]!;
    assert.deepEqual(failed.details, { factor: 'second' });
  });

  it('logs in with a current code once; the same code again is refused', async () => {
    // The next step's code: inside the window and newer than the one spent at enrolment.
    const code = totpCode(secret, Date.now() + 30_000);
    const first = await login(t, { username: 'admin', password: TEST_PASSWORD, otp: code });
    assert.equal(first.status, 200);
    assert.ok(first.json().access_token);
    const replay = await login(t, { username: 'admin', password: TEST_PASSWORD, otp: code });
    assert.equal(replay.status, 401);
    assert.equal(replay.json().code, 'invalid_credentials');
    const audited = t.stack.audit.list({ event: 'auth.login.2fa', order: 'desc', limit: 1 })[0]!;
    assert.deepEqual(audited.details, { method: 'totp' });
  });

  it('takes a recovery code once, as typed by a person', async () => {
    const typed = recoveryCodes[3]!.toUpperCase().replace('-', ' ');
    const first = await login(t, { username: 'admin', password: TEST_PASSWORD, otp: typed });
    assert.equal(first.status, 200);
    const again = await login(t, { username: 'admin', password: TEST_PASSWORD, otp: recoveryCodes[3]! });
    assert.equal(again.status, 401);
    assert.equal(t.stack.audit.list({ event: 'auth.2fa.recovery-used' }).at(-1)!.details!.left, 9);
    assert.deepEqual(t.stack.secondFactor!.status('admin'), { enrolled: true, pending: false, recoveryCodesLeft: 9 });
  });

  it('does not spend a recovery code when the password is wrong', async () => {
    const res = await login(t, { username: 'admin', password: 'wrong password again!', otp: recoveryCodes[5]! });
    assert.equal(res.status, 401);
    assert.equal(t.stack.secondFactor!.status('admin').recoveryCodesLeft, 9);
  });

  it('counts wrong codes in the login limiter: the account locks even for the right code', async () => {
    const enrol = await t.call('POST', '/redoubt/2fa/enrol', { role: 'operator', body: {} });
    const opSecret = base32Decode(enrol.json().secret);
    assert.equal((await t.call('POST', '/redoubt/2fa/verify', { role: 'operator', body: { code: totpCode(opSecret, Date.now()) } })).status, 200);
    for (let i = 0; i < 4; i++) {
      assert.equal((await login(t, { username: 'operator', password: TEST_PASSWORD, otp: '000000' === totpCode(opSecret, Date.now()) ? '999999' : '000000' })).status, 401);
    }
    const locked = await login(t, { username: 'operator', password: TEST_PASSWORD, otp: totpCode(opSecret, Date.now() + 30_000) });
    assert.equal(locked.status, 429);
    assert.equal(t.stack.audit.list({ event: 'auth.lockout' }).at(-1)!.username, 'operator');
  });

  it('refuses a second enrolment while one is active', async () => {
    const res = await t.call('POST', '/redoubt/2fa/enrol', { role: 'admin', body: {} });
    assert.equal(res.status, 409);
    assert.equal(res.json().code, 'second_factor_enrolled');
  });
});
