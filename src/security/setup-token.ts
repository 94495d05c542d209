/**
 * The one-time setup link for the first admin. Redoubt has no default password: on a first start
 * with no users, the console prints a link carrying this token, and whoever opens it (on the
 * machine, or with console access) creates the admin. Only the token's hash is kept, in memory:
 * a restart issues a new one, which is what an operator who lost the console output needs.
 */
import { createHash, randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors/index.js';
import type { Clock, SetupToken, UserStore } from './types.js';

export interface SetupTokenOptions {
  /** Lifetime of an issued token; default 30 minutes. */
  ttlMs?: number;
}

export interface SetupTokenDeps {
  users: Pick<UserStore, 'count'>;
  clock: Clock;
  randomBytes?: (size: number) => Buffer;
}

export interface SetupTokenWithCheck extends SetupToken {
  /** Whether `token` would be accepted now, without consuming it (to validate a form first). */
  isValid(token: string): boolean;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Builds the setup token holder.
 * @example
 * const setup = createSetupToken({}, { users, clock: { now: Date.now } });
 * if (setup.isPending()) console.log(`open http://127.0.0.1:1880/setup#${setup.issue().token}`);
 */
export function createSetupToken(options: SetupTokenOptions, deps: SetupTokenDeps): SetupTokenWithCheck {
  const ttlMs = options.ttlMs ?? 30 * 60 * 1000;
  if (!Number.isFinite(ttlMs) || ttlMs < 60_000 || ttlMs > 24 * 60 * 60 * 1000) {
    throw new ConfigError('security.setupTokenExpiry', 'must be between 1 minute and 24 hours');
  }
  const { users, clock } = deps;
  const randomBytes = deps.randomBytes ?? nodeRandomBytes;
  let issued: { hash: Buffer; expiresAt: number } | undefined;

  const isValid = (token: string): boolean => {
    if (!issued || typeof token !== 'string' || token.length === 0 || token.length > 256) return false;
    if (users.count() > 0) return false;
    if (clock.now() >= issued.expiresAt) return false;
    return timingSafeEqual(digest(token), issued.hash);
  };

  return {
    issue() {
      const token = randomBytes(32).toString('base64url');
      const expiresAt = clock.now() + ttlMs;
      issued = { hash: digest(token), expiresAt };
      return { token, expiresAt };
    },
    isValid,
    consume(token) {
      const ok = isValid(token);
      // Spent once used, and also once expired or once an admin exists by another route.
      if (ok || (issued && (clock.now() >= issued.expiresAt || users.count() > 0))) issued = undefined;
      return ok;
    },
    isPending() {
      return users.count() === 0;
    },
  };
}
