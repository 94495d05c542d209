import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { createSetupToken } from './setup-token.js';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function setup() {
  const clock = fakeClock();
  let userCount = 0;
  const users = { count: () => userCount };
  const token = createSetupToken({}, { users, clock });
  return { clock, token, addUser: () => void (userCount += 1) };
}

describe('createSetupToken', () => {
  it('issues a 32-byte random token that expires in 30 minutes', () => {
    const { token, clock } = setup();
    const issued = token.issue();
    assert.equal(Buffer.from(issued.token, 'base64url').length, 32);
    assert.equal(issued.expiresAt, clock.now() + 30 * 60 * 1000);
    assert.notEqual(token.issue().token, issued.token);
  });

  it('works once', () => {
    const { token } = setup();
    const { token: value } = token.issue();
    assert.equal(token.consume(value), true);
    assert.equal(token.consume(value), false);
  });

  it('refuses a wrong token, and the right one still works after', () => {
    const { token } = setup();
    const { token: value } = token.issue();
    assert.equal(token.consume(value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A')), false);
    assert.equal(token.consume(''), false);
    assert.equal(token.consume('x'.repeat(10_000)), false);
    assert.equal(token.consume(value), true);
  });

  it('refuses a token after 30 minutes', () => {
    const { token, clock } = setup();
    const { token: value } = token.issue();
    clock.advance(30 * 60 * 1000);
    assert.equal(token.isValid(value), false);
    assert.equal(token.consume(value), false);
  });

  it('refuses anything before a token is issued, and the old token once replaced', () => {
    const { token } = setup();
    assert.equal(token.consume('anything'), false);
    const first = token.issue().token;
    const second = token.issue().token;
    assert.equal(token.consume(first), false);
    assert.equal(token.consume(second), true);
  });

  it('is pending while no user exists, and refuses the token once one does', () => {
    const { token, addUser } = setup();
    const { token: value } = token.issue();
    assert.equal(token.isPending(), true);
    addUser();
    assert.equal(token.isPending(), false);
    assert.equal(token.consume(value), false);
  });

  it('checks a token without spending it', () => {
    const { token } = setup();
    const { token: value } = token.issue();
    assert.equal(token.isValid(value), true);
    assert.equal(token.isValid(value), true);
    assert.equal(token.consume(value), true);
    assert.equal(token.isValid(value), false);
  });

  it('refuses an expiry outside 1 minute to 24 hours, naming the setting', () => {
    const deps = { users: { count: () => 0 }, clock: fakeClock() };
    assert.throws(() => createSetupToken({ ttlMs: 1000 }, deps), (e: unknown) => e instanceof ConfigError && e.message.includes('security.setupTokenExpiry'));
    assert.throws(() => createSetupToken({ ttlMs: 48 * 3600_000 }, deps), ConfigError);
  });
});
