/**
 * Login rate limiting and lockout: a pure core with an injected clock and bounded memory.
 *
 * Three counters, each aimed at one attack, none able to lock a user out from everywhere:
 *  - account from address (the pair): consecutive failures of one account from one address. The
 *    first `freeFailures` cost nothing (typos), then each waits twice as long as the one before
 *    (1 s, 2 s, 4 s ... up to `maxDelayMs`); at `maxFailures` the pair is locked for `lockoutMs`,
 *    and each later failure locks it again. This slows guessing one password from one place, and
 *    it is what the user at the keyboard meets; another address is untouched by it.
 *  - address: failures from one address over any accounts within `windowMs` (password spraying).
 *    At `addressMaxFailures` the address is locked for `lockoutMs`. It is not reset by a success:
 *    an attacker holding one valid account could otherwise clear it between guesses.
 *  - account: failures for one account from all addresses within `windowMs` (a distributed
 *    attack). An account-wide lock would hand any attacker a way to lock the owner out, so at
 *    `accountMaxFailures` the account closes only to addresses that have not logged into it
 *    successfully within `trustedForMs`; the owner's usual addresses still get in. The threshold is
 *    far above what one address can reach before its own locks stop it, so a single attacker
 *    cannot trigger it; a new address during a distributed attack waits, which is the price.
 * IPv6 addresses count per /64 (one subscriber's allocation), IPv4-mapped IPv6 as IPv4.
 */
import { ConfigError } from '../errors/index.js';
import type { Clock, LoginLimiter } from './types.js';

export interface LoginLimiterOptions {
  /** Consecutive failures of an account from one address before any delay; default 5. */
  freeFailures?: number;
  /** First delay after the free failures; doubles with each failure. Default 1 s. */
  baseDelayMs?: number;
  /** Longest backoff delay; default 15 min. */
  maxDelayMs?: number;
  /** Consecutive failures of an account from one address that lock the pair; default 10. */
  maxFailures?: number;
  /** Length of a lock; default 15 min. */
  lockoutMs?: number;
  /** Failures from one address (any account) within the window that lock the address; default 50. */
  addressMaxFailures?: number;
  /** Failures for one account (any address) within the window that close it to unknown addresses; default 100. */
  accountMaxFailures?: number;
  /** Sliding window of the address and account counters; default 15 min. */
  windowMs?: number;
  /** An account-from-address failure streak is forgotten after this long without failures; default 24 h. */
  forgetAfterMs?: number;
  /** How long a successful login makes an address trusted for that account; default 30 days. */
  trustedForMs?: number;
  /** Entries kept per counter before the oldest are dropped; default 10,000. */
  maxEntries?: number;
}

export interface LoginLimiterDeps {
  clock: Clock;
}

export interface LoginLimiterWithStats extends LoginLimiter {
  /** Entries held per counter (for tests and monitoring). */
  size(): { pairs: number; addresses: number; accounts: number };
}

interface PairState {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

interface WindowState {
  /** Failure times inside the window, oldest first; never longer than the threshold. */
  times: number[];
  lockedUntil: number;
  /** Account counter only: address key → last successful login. */
  trusted?: Map<string, number>;
}

const MAX_TRUSTED_PER_ACCOUNT = 20;

/** Expands an IPv6 address to its eight groups; undefined when it is not one. */
function ipv6Groups(address: string): string[] | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  // An embedded IPv4 tail (::1.2.3.4) counts as two groups.
  const last = tail.length ? tail[tail.length - 1] : head[head.length - 1];
  const extra = last !== undefined && last.includes('.') ? 1 : 0;
  const missing = 8 - head.length - tail.length - extra;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
}

/** The key an address is counted under. */
export function addressKey(address: string): string {
  let a = String(address).trim().toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  if (mapped) return mapped[1] as string;
  if (!a.includes(':')) return a;
  const groups = ipv6Groups(a);
  if (!groups) return a;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

function positiveInt(value: number, setting: string, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`security.login.${setting}`, `must be an integer of at least ${min}, got ${String(value)}`);
  return value;
}

/**
 * Builds the limiter; options are checked here so a bad profile stops the start.
 * @example
 * const limiter = createLoginLimiter({}, { clock: { now: Date.now } });
 * const gate = limiter.check('ann', '10.0.0.7');
 * if (!gate.allowed) return tooManyRequests(Math.ceil(gate.retryAfterMs / 1000));
 */
export function createLoginLimiter(options: LoginLimiterOptions, deps: LoginLimiterDeps): LoginLimiterWithStats {
  const freeFailures = positiveInt(options.freeFailures ?? 5, 'freeFailures', 0);
  const baseDelayMs = positiveInt(options.baseDelayMs ?? 1000, 'baseDelayMs', 1);
  const maxDelayMs = positiveInt(options.maxDelayMs ?? 15 * 60_000, 'maxDelayMs', baseDelayMs);
  const maxFailures = positiveInt(options.maxFailures ?? 10, 'maxFailures', 1);
  const lockoutMs = positiveInt(options.lockoutMs ?? 15 * 60_000, 'lockoutMs', 1);
  const addressMaxFailures = positiveInt(options.addressMaxFailures ?? 50, 'addressMaxFailures', 1);
  const windowMs = positiveInt(options.windowMs ?? 15 * 60_000, 'windowMs', 1);
  const forgetAfterMs = positiveInt(options.forgetAfterMs ?? 24 * 60 * 60_000, 'forgetAfterMs', 1);
  const trustedForMs = positiveInt(options.trustedForMs ?? 30 * 24 * 60 * 60_000, 'trustedForMs', 1);
  const maxEntries = positiveInt(options.maxEntries ?? 10_000, 'maxEntries', 10);
  const accountMaxFailures = positiveInt(options.accountMaxFailures ?? 100, 'accountMaxFailures', 1);
  if (accountMaxFailures <= maxFailures) {
    // Otherwise one address could close the account before its own lock stops it.
    throw new ConfigError('security.login.accountMaxFailures', `must be greater than maxFailures (${maxFailures})`);
  }
  const { clock } = deps;
  const pairs = new Map<string, PairState>();
  const addresses = new Map<string, WindowState>();
  const accounts = new Map<string, WindowState>();

  const accountKey = (account: string) => String(account).trim().toLowerCase();
  const pairKey = (account: string, address: string) => `${accountKey(account)}\u0000${addressKey(address)}`;

  /** Wait after `failures` consecutive failures, lock aside. */
  const backoff = (failures: number): number =>
    failures <= freeFailures ? 0 : Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(failures - freeFailures - 1, 40));

  const pairAllowedAt = (p: PairState): number => Math.max(p.lastFailureAt + backoff(p.failures), p.lockedUntil);

  const isStalePair = (p: PairState, now: number) => now - p.lastFailureAt > forgetAfterMs && now >= pairAllowedAt(p);
  const isStaleWindow = (w: WindowState, now: number) =>
    now >= w.lockedUntil && (w.times.length === 0 || now - (w.times[w.times.length - 1] as number) >= windowMs) && (w.trusted?.size ?? 0) === 0;

  /** Keeps a counter within `maxEntries`: drops stale entries, then the least recently written. */
  function makeRoom<T>(map: Map<string, T>, isStale: (v: T, now: number) => boolean): void {
    if (map.size < maxEntries) return;
    const now = clock.now();
    for (const [key, value] of map) if (isStale(value, now)) map.delete(key);
    // Maps iterate in insertion order and writes re-insert, so the first keys are the oldest.
    const excess = map.size - Math.floor(maxEntries * 0.9);
    if (excess <= 0) return;
    let dropped = 0;
    for (const key of map.keys()) {
      if (dropped++ >= excess) break;
      map.delete(key);
    }
  }

  function put<T>(map: Map<string, T>, key: string, value: T, isStale: (v: T, now: number) => boolean): void {
    if (map.has(key)) map.delete(key);
    else makeRoom(map, isStale);
    map.set(key, value);
  }

  function windowOf(map: Map<string, WindowState>, key: string, now: number): WindowState {
    const w = map.get(key) ?? { times: [], lockedUntil: 0 };
    while (w.times.length > 0 && now - (w.times[0] as number) >= windowMs) w.times.shift();
    return w;
  }

  /** Counts a failure in the window of `key` unless it is locked already; true when this one locks it. */
  function countInWindow(map: Map<string, WindowState>, key: string, max: number, now: number): boolean {
    const w = windowOf(map, key, now);
    let locks = false;
    if (now >= w.lockedUntil) {
      w.times.push(now);
      if (w.times.length >= max) {
        w.lockedUntil = now + lockoutMs;
        w.times = [];
        locks = true;
      }
    }
    put(map, key, w, isStaleWindow);
    return locks;
  }

  function isTrusted(account: WindowState | undefined, address: string, now: number): boolean {
    const at = account?.trusted?.get(address);
    return at !== undefined && now - at < trustedForMs;
  }

  return {
    check(account, address) {
      const now = clock.now();
      const addr = addressKey(address);
      let wait = 0;
      let reason: 'account' | 'address' = 'account';
      const pair = pairs.get(pairKey(account, address));
      if (pair) wait = Math.max(wait, pairAllowedAt(pair) - now);
      const byAddress = addresses.get(addr);
      if (byAddress && byAddress.lockedUntil - now > wait) {
        wait = byAddress.lockedUntil - now;
        reason = 'address';
      }
      const byAccount = accounts.get(accountKey(account));
      if (byAccount && byAccount.lockedUntil - now > wait && !isTrusted(byAccount, addr, now)) {
        wait = byAccount.lockedUntil - now;
        reason = 'account';
      }
      return wait > 0 ? { allowed: false, retryAfterMs: Math.ceil(wait), reason } : { allowed: true };
    },

    recordFailure(account, address) {
      const now = clock.now();
      const addr = addressKey(address);
      const acct = accountKey(account);
      let lockedNow = false;

      const key = pairKey(account, address);
      const previous = pairs.get(key);
      const pair: PairState =
        previous && !isStalePair(previous, now) ? previous : { failures: 0, lastFailureAt: now, lockedUntil: 0 };
      pair.failures += 1;
      pair.lastFailureAt = now;
      if (pair.failures >= maxFailures) {
        pair.lockedUntil = now + lockoutMs;
        lockedNow = true;
      }
      put(pairs, key, pair, isStalePair);

      if (countInWindow(addresses, addr, addressMaxFailures, now)) lockedNow = true;
      if (countInWindow(accounts, acct, accountMaxFailures, now)) lockedNow = true;

      return { lockedNow };
    },

    recordSuccess(account, address) {
      const now = clock.now();
      const addr = addressKey(address);
      const acct = accountKey(account);
      pairs.delete(pairKey(account, address));
      const byAccount = windowOf(accounts, acct, now);
      const trusted = byAccount.trusted ?? new Map<string, number>();
      trusted.delete(addr);
      trusted.set(addr, now);
      for (const [a, at] of trusted) if (now - at >= trustedForMs) trusted.delete(a);
      while (trusted.size > MAX_TRUSTED_PER_ACCOUNT) trusted.delete(trusted.keys().next().value as string);
      byAccount.trusted = trusted;
      put(accounts, acct, byAccount, isStaleWindow);
    },

    size() {
      return { pairs: pairs.size, addresses: addresses.size, accounts: accounts.size };
    },
  };
}
