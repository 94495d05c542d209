/**
 * Login sessions: a random opaque token handed to the client once, and only its SHA-256 kept.
 * A session ends at an absolute expiry (default 7 days, as Node-RED's `sessionExpiryTime`), after
 * an idle timeout (default 8 hours), on logout, or when its user's password, role or account
 * changes (`revokeAllFor`).
 */
import { createHash, randomBytes as nodeRandomBytes } from 'node:crypto';
import { ConfigError } from '../errors/index.js';
import type { Clock, Session, SessionManager, SessionStore } from './types.js';

export interface SessionManagerOptions {
  /** Lifetime from login; default 7 days. */
  absoluteTtlMs?: number;
  /** Longest gap between uses; default 8 hours. */
  idleTimeoutMs?: number;
  /**
   * How stale `lastSeenAt` may get before a use writes it again; default 1 minute. Writing on
   * every request would put a database write on the hot path for no gain in precision.
   */
  touchIntervalMs?: number;
}

export interface SessionManagerDeps {
  store: SessionStore;
  clock: Clock;
  randomBytes?: (size: number) => Buffer;
}

export interface SessionManagerWithTtl extends SessionManager {
  /** The absolute lifetime in ms, for `expires_in`. */
  readonly absoluteTtlMs: number;
  /** Deletes sessions past their absolute expiry; returns how many. */
  prune(): number;
}

const TOKEN_BYTES = 32;
/** 32 bytes in base64url without padding. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const DAY = 24 * 60 * 60 * 1000;

/** The stored key of a token. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Builds the manager. Looking a token up by its hash needs no constant-time compare: an attacker
 * who varies the token cannot steer the hash, so lookup timing tells them nothing.
 * @example
 * const sessions = createSessionManager({}, { store: createSessionStore(db), clock: { now: Date.now } });
 * const { token } = sessions.create({ username: 'ann', role: 'admin' });
 * sessions.verify(token)?.username // 'ann'
 */
export function createSessionManager(options: SessionManagerOptions, deps: SessionManagerDeps): SessionManagerWithTtl {
  const absoluteTtlMs = options.absoluteTtlMs ?? 7 * DAY;
  const idleTimeoutMs = options.idleTimeoutMs ?? 8 * 60 * 60 * 1000;
  const touchIntervalMs = options.touchIntervalMs ?? 60 * 1000;
  if (!Number.isFinite(absoluteTtlMs) || absoluteTtlMs < 60_000 || absoluteTtlMs > 365 * DAY) {
    throw new ConfigError('security.sessions.expiry', 'must be between 1 minute and 365 days');
  }
  if (!Number.isFinite(idleTimeoutMs) || idleTimeoutMs < 60_000 || idleTimeoutMs > absoluteTtlMs) {
    throw new ConfigError('security.sessions.idleTimeout', 'must be between 1 minute and the session expiry');
  }
  if (!Number.isFinite(touchIntervalMs) || touchIntervalMs < 0 || touchIntervalMs >= idleTimeoutMs) {
    throw new ConfigError('security.sessions.touchInterval', 'must be at least 0 and below the idle timeout');
  }
  const { store, clock } = deps;
  const randomBytes = deps.randomBytes ?? nodeRandomBytes;

  return {
    absoluteTtlMs,

    create(user, meta = {}) {
      const now = clock.now();
      // Expired rows are dropped as new ones arrive, so the table stays as small as the live set.
      store.deleteExpired(now);
      const token = randomBytes(TOKEN_BYTES).toString('base64url');
      const session: Session = {
        tokenHash: hashSessionToken(token),
        username: user.username,
        role: user.role,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: now + absoluteTtlMs,
      };
      if (meta.address !== undefined) session.address = meta.address;
      if (meta.client !== undefined) session.client = meta.client;
      store.insert(session);
      return { token, session };
    },

    verify(token) {
      if (typeof token !== 'string' || !TOKEN_RE.test(token)) return undefined;
      const tokenHash = hashSessionToken(token);
      const session = store.get(tokenHash);
      if (!session) return undefined;
      const now = clock.now();
      if (now >= session.expiresAt || now - session.lastSeenAt >= idleTimeoutMs) {
        store.delete(tokenHash);
        return undefined;
      }
      if (now - session.lastSeenAt >= touchIntervalMs) {
        store.touch(tokenHash, now);
        return { ...session, lastSeenAt: now };
      }
      return session;
    },

    revoke(token) {
      if (typeof token !== 'string' || !TOKEN_RE.test(token)) return false;
      return store.delete(hashSessionToken(token));
    },

    revokeAllFor(username) {
      return store.deleteForUser(username);
    },

    prune() {
      return store.deleteExpired(clock.now());
    },
  };
}
