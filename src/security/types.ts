/**
 * The security layer's contracts: what `server/` and `cli/` use. Implementations live beside this
 * file (one job each) and are pure cores with injected time, storage and randomness.
 */

/** Roles, weakest first. Node-RED's `read` scope maps to viewer, `*` to admin. */
export type Role = 'viewer' | 'operator' | 'editor' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'editor', 'admin'];

export interface Clock {
  now(): number;
}

export interface User {
  username: string;
  role: Role;
  /** `scrypt$...` (ours) or a Node-RED bcrypt hash `$2a$/$2b$/$2y$` (imported; re-hashed at next login). */
  passwordHash: string;
  createdAt: number;
  passwordChangedAt: number;
  disabled?: boolean;
}

export interface UserStore {
  get(username: string): User | undefined;
  list(): User[];
  create(user: User): void;
  update(username: string, patch: Partial<Omit<User, 'username' | 'createdAt'>>): void;
  remove(username: string): boolean;
  count(): number;
}

export interface Session {
  /** sha256 of the opaque token; the token itself is never stored. */
  tokenHash: string;
  username: string;
  role: Role;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  /** Where it was issued from, for the audit log. */
  address?: string;
  client?: string;
}

export interface SessionStore {
  insert(session: Session): void;
  get(tokenHash: string): Session | undefined;
  touch(tokenHash: string, lastSeenAt: number): void;
  delete(tokenHash: string): boolean;
  deleteForUser(username: string): number;
  deleteExpired(now: number): number;
}

export interface SessionManager {
  /** Returns the opaque token (shown once) and the stored session. */
  create(user: Pick<User, 'username' | 'role'>, meta?: { address?: string; client?: string }): { token: string; session: Session };
  /** The live session for a token, refreshed for idle timeout; undefined when unknown, expired or idle too long. */
  verify(token: string): Session | undefined;
  revoke(token: string): boolean;
  revokeAllFor(username: string): number;
}

export interface LoginLimiter {
  /** Whether a login attempt from this address for this account may proceed now. */
  check(account: string, address: string): { allowed: true } | { allowed: false; retryAfterMs: number; reason: 'account' | 'address' };
  recordFailure(account: string, address: string): { lockedNow: boolean };
  recordSuccess(account: string, address: string): void;
}

/** Who did what, when, from where. Every record is chained to the one before it by a hash. */
export interface AuditEvent {
  /** e.g. 'auth.login', 'auth.login.failed', 'auth.lockout', 'flows.deploy', 'user.create', 'request.refused'. */
  event: string;
  username?: string;
  address?: string;
  /** Free details; never a secret. */
  details?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEvent {
  seq: number;
  at: number;
  prevHash: string;
  hash: string;
}

export interface AuditLog {
  record(event: AuditEvent): AuditRecord;
  /** Oldest first unless `order: 'desc'`; `event` is an exact name or a prefix ending in `*`. */
  list(options?: { afterSeq?: number; beforeSeq?: number; limit?: number; event?: string; order?: 'asc' | 'desc' }): AuditRecord[];
  /**
   * Recomputes the chain: ok, or the first record that was edited, removed or reordered. With
   * `head` (from an earlier `head()`, e.g. kept in a backup) it also detects records cut off the end.
   */
  verify(options?: { head?: { seq: number; hash: string } }): { ok: true; count: number } | { ok: false; seq: number; problem: string };
  /** The last record's seq and hash (seq 0 and the genesis hash when empty), to export with backups. */
  head(): { seq: number; hash: string };
}

export interface FlowVersion {
  version: number;
  at: number;
  username?: string;
  /** e.g. "3 added, 1 changed, 0 removed (deployment type: nodes)". */
  summary: string;
  rev: string;
}

export interface FlowVersionMeta {
  username?: string;
  summary: string;
  rev: string;
}

export interface FlowHistory {
  /** Stores a deployed flow set as a new version. */
  add(flows: unknown[], meta: FlowVersionMeta): FlowVersion;
  /**
   * Starts compressing a flow set (`json`: its JSON as UTF-8) off the main thread, so a deploy
   * can start its flows meanwhile; `add` then stores it as the `add` above would.
   */
  prepare?(json: Uint8Array): { add(meta: FlowVersionMeta): Promise<FlowVersion> };
  list(limit?: number): FlowVersion[];
  get(version: number): { version: FlowVersion; flows: unknown[] } | undefined;
  /** Nodes added, removed and changed between two versions. */
  diff(from: number, to: number): { added: string[]; removed: string[]; changed: string[] };
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Accepts our scrypt hashes and Node-RED bcrypt hashes; `needsRehash` when the hash is not current. */
  verify(password: string, hash: string): Promise<{ ok: boolean; needsRehash: boolean }>;
}

export interface PasswordPolicy {
  /** Every reason the password is refused; empty when acceptable. */
  check(password: string, username: string): string[];
}

/** One-time link to create the first admin, printed on the console at first start. */
export interface SetupToken {
  /** Creates (or replaces) the token; returns it for printing. */
  issue(): { token: string; expiresAt: number };
  /** Consumes the token when valid; a token works once. */
  consume(token: string): boolean;
  isPending(): boolean;
}

/** What the server calls to log people in; uniform answers so an unknown user looks like a wrong password. */
export interface AuthService {
  /** `otp`: the TOTP or recovery code, required (only) for an account with a second factor. */
  login(input: { username: string; password: string; address: string; client?: string; otp?: string }): Promise<
    | { ok: true; token: string; expiresIn: number; user: { username: string; role: Role } }
    | { ok: false; reason: 'invalid_credentials' }
    | { ok: false; reason: 'locked'; retryAfterMs: number }
  >;
  /** The session behind a bearer token. */
  authenticate(token: string): Session | undefined;
  logout(token: string, address?: string): boolean;
  changePassword(input: { username: string; newPassword: string; by: string; address?: string }): Promise<void>;
  createUser(input: { username: string; password: string; role: Role; by: string; address?: string }): Promise<void>;
}
