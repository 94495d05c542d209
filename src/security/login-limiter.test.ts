import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { addressKey, createLoginLimiter, type LoginLimiterOptions } from './login-limiter.js';

const MIN = 60_000;

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function setup(options: LoginLimiterOptions = {}) {
  const clock = fakeClock();
  return { clock, limiter: createLoginLimiter(options, { clock }) };
}

/** Fails as fast as the limiter allows, advancing the clock past each wait; returns the waits. */
function failRepeatedly(l: ReturnType<typeof setup>, account: string, address: string, times: number): number[] {
  const waits: number[] = [];
  for (let i = 0; i < times; i++) {
    const gate = l.limiter.check(account, address);
    if (!gate.allowed) {
      waits.push(gate.retryAfterMs);
      l.clock.advance(gate.retryAfterMs);
      assert.equal(l.limiter.check(account, address).allowed, true);
    } else waits.push(0);
    l.limiter.recordFailure(account, address);
  }
  return waits;
}

describe('createLoginLimiter', () => {
  it('lets the first 5 failures through, then doubles the wait from 1 s', () => {
    const l = setup({ maxFailures: 20, accountMaxFailures: 200 });
    const waits = failRepeatedly(l, 'ann', '10.0.0.7', 10);
    assert.deepEqual(waits, [0, 0, 0, 0, 0, 0, 1000, 2000, 4000, 8000]);
  });

  it('caps the backoff at 15 minutes', () => {
    const l = setup({ maxFailures: 50, accountMaxFailures: 500, addressMaxFailures: 500 });
    const waits = failRepeatedly(l, 'ann', '10.0.0.7', 30);
    assert.equal(Math.max(...waits), 15 * MIN);
    assert.equal(waits[waits.length - 1], 15 * MIN);
  });

  it('refuses with retryAfterMs counting down, and allows once it has passed', () => {
    const l = setup();
    failRepeatedly(l, 'ann', '10.0.0.7', 6);
    const gate = l.limiter.check('ann', '10.0.0.7');
    assert.deepEqual(gate, { allowed: false, retryAfterMs: 1000, reason: 'account' });
    l.clock.advance(400);
    assert.deepEqual(l.limiter.check('ann', '10.0.0.7'), { allowed: false, retryAfterMs: 600, reason: 'account' });
    l.clock.advance(600);
    assert.deepEqual(l.limiter.check('ann', '10.0.0.7'), { allowed: true });
  });

  it('locks the account from that address after 10 failures and reports the lock once it starts', () => {
    const l = setup();
    const locks: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      const gate = l.limiter.check('ann', '10.0.0.7');
      if (!gate.allowed) l.clock.advance(gate.retryAfterMs);
      locks.push(l.limiter.recordFailure('ann', '10.0.0.7').lockedNow);
    }
    assert.deepEqual(locks, [false, false, false, false, false, false, false, false, false, true]);
    const gate = l.limiter.check('ann', '10.0.0.7');
    assert.equal(gate.allowed, false);
    assert.equal(!gate.allowed && gate.retryAfterMs, 15 * MIN);
  });

  it('still lets the right user in from another address while one address is locked out', () => {
    const l = setup();
    // Fifty attempts from the attacker: most are refused, none touch the other address.
    for (let i = 0; i < 50; i++) {
      if (l.limiter.check('ann', '203.0.113.9').allowed) l.limiter.recordFailure('ann', '203.0.113.9');
      l.clock.advance(1000);
    }
    assert.equal(l.limiter.check('ann', '203.0.113.9').allowed, false);
    assert.deepEqual(l.limiter.check('ann', '10.0.0.7'), { allowed: true });
  });

  it('forgets the streak of an account from an address on success', () => {
    const l = setup();
    failRepeatedly(l, 'ann', '10.0.0.7', 7);
    l.clock.advance(2000);
    l.limiter.recordSuccess('ann', '10.0.0.7');
    assert.deepEqual(failRepeatedly(l, 'ann', '10.0.0.7', 6), [0, 0, 0, 0, 0, 0]);
  });

  it('treats the account name without regard to case or surrounding spaces', () => {
    const l = setup();
    failRepeatedly(l, 'ann', '10.0.0.7', 6);
    assert.equal(l.limiter.check(' ANN ', '10.0.0.7').allowed, false);
  });

  it('locks an address spraying many accounts, with reason address, and unlocks it after the lockout', () => {
    const l = setup({ addressMaxFailures: 20 });
    let lockedNow = false;
    for (let i = 0; i < 20; i++) lockedNow = l.limiter.recordFailure(`user${i}`, '198.51.100.4').lockedNow;
    assert.equal(lockedNow, true);
    const gate = l.limiter.check('someone-else', '198.51.100.4');
    assert.deepEqual(gate, { allowed: false, retryAfterMs: 15 * MIN, reason: 'address' });
    assert.deepEqual(l.limiter.check('someone-else', '198.51.100.5'), { allowed: true });
    l.clock.advance(15 * MIN);
    assert.deepEqual(l.limiter.check('someone-else', '198.51.100.4'), { allowed: true });
  });

  it('does not let a success from an address clear its spraying count', () => {
    const l = setup({ addressMaxFailures: 10 });
    for (let i = 0; i < 9; i++) l.limiter.recordFailure(`user${i}`, '198.51.100.4');
    l.limiter.recordSuccess('attacker-own-account', '198.51.100.4');
    assert.equal(l.limiter.recordFailure('user9', '198.51.100.4').lockedNow, true);
  });

  it('forgets address failures older than the window', () => {
    const l = setup({ addressMaxFailures: 10, windowMs: 15 * MIN });
    for (let i = 0; i < 9; i++) l.limiter.recordFailure(`user${i}`, '198.51.100.4');
    l.clock.advance(15 * MIN);
    assert.equal(l.limiter.recordFailure('user9', '198.51.100.4').lockedNow, false);
  });

  it('closes an account under a distributed attack to unknown addresses only', () => {
    const l = setup({ accountMaxFailures: 30 });
    l.limiter.recordSuccess('ann', '10.0.0.7');
    let lockedNow = false;
    for (let i = 0; i < 30; i++) lockedNow = l.limiter.recordFailure('ann', `203.0.113.${i}`).lockedNow;
    assert.equal(lockedNow, true);
    const fromNew = l.limiter.check('ann', '192.0.2.1');
    assert.equal(fromNew.allowed, false);
    assert.equal(!fromNew.allowed && fromNew.reason, 'account');
    assert.deepEqual(l.limiter.check('ann', '10.0.0.7'), { allowed: true }, 'the owner\'s usual address');
    assert.deepEqual(l.limiter.check('bob', '192.0.2.1'), { allowed: true }, 'other accounts');
    l.clock.advance(15 * MIN);
    assert.deepEqual(l.limiter.check('ann', '192.0.2.1'), { allowed: true });
  });

  it('lets no single address close an account for everyone', () => {
    const l = setup();
    // A patient attacker from one address over a day never reaches the account-wide threshold.
    for (let i = 0; i < 2000; i++) {
      const gate = l.limiter.check('ann', '203.0.113.9');
      if (gate.allowed) l.limiter.recordFailure('ann', '203.0.113.9');
      else l.clock.advance(gate.retryAfterMs);
    }
    assert.deepEqual(l.limiter.check('ann', '192.0.2.1'), { allowed: true });
  });

  it('counts IPv6 addresses per /64 and IPv4-mapped addresses as IPv4', () => {
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(addressKey('[2001:db8:1:2::5]'), '2001:db8:1:2::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('::ffff:10.0.0.7'), '10.0.0.7');
    assert.equal(addressKey('10.0.0.7'), '10.0.0.7');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    const l = setup();
    failRepeatedly(l, 'ann', '2001:db8:1:2::1', 6);
    assert.equal(l.limiter.check('ann', '2001:db8:1:2::99').allowed, false, 'same /64');
    assert.equal(l.limiter.check('ann', '2001:db8:1:3::1').allowed, true, 'other /64');
  });

  it('keeps memory bounded under a flood of addresses and accounts', () => {
    const l = setup({ maxEntries: 100 });
    for (let i = 0; i < 5000; i++) l.limiter.recordFailure(`user${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const size = l.limiter.size();
    assert.ok(size.pairs <= 100 && size.addresses <= 100 && size.accounts <= 100, JSON.stringify(size));
  });

  it('keeps a recent lock while dropping stale entries to make room', () => {
    const l = setup({ maxEntries: 20 });
    for (let i = 0; i < 15; i++) l.limiter.recordFailure(`old${i}`, `10.0.1.${i}`);
    l.clock.advance(2 * 24 * 60 * MIN);
    failRepeatedly(l, 'ann', '10.0.0.7', 10);
    for (let i = 0; i < 10; i++) l.limiter.recordFailure(`new${i}`, `10.0.2.${i}`);
    assert.equal(l.limiter.check('ann', '10.0.0.7').allowed, false);
  });

  it('refuses bad settings, naming them', () => {
    const clock = fakeClock();
    assert.throws(() => createLoginLimiter({ maxFailures: 0 }, { clock }), (e: unknown) => e instanceof ConfigError && e.message.includes('security.login.maxFailures'));
    assert.throws(() => createLoginLimiter({ baseDelayMs: 1.5 }, { clock }), ConfigError);
    assert.throws(() => createLoginLimiter({ maxFailures: 10, accountMaxFailures: 10 }, { clock }), (e: unknown) => e instanceof ConfigError && e.message.includes('accountMaxFailures'));
  });
});
