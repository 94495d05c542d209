/**
 * Logging in and managing users: the one place that ties the user store, the hasher, the policy,
 * the limiter, the sessions and the audit log together, so `server/` and `cli/` get the same
 * rules (policy on every new password, sessions revoked on every change, every change audited).
 *
 * Login answers are uniform: an unknown user, a disabled user and a wrong password all give
 * `invalid_credentials`, after the same work (a password verification, against a dummy hash made
 * with the same hasher when there is no user). The limiter keys on the name as typed, existing or
 * not, so its answers do not tell them apart either.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { AuthError, ConfigError, ConflictError, NotFoundError, ValidationError, type ValidationIssue } from '../errors/index.js';
import { isRole } from './permissions.js';
import type { SecondFactorService } from './second-factor.js';
import type {
  AuditLog,
  AuthService,
  Clock,
  LoginLimiter,
  PasswordHasher,
  PasswordPolicy,
  Role,
  SessionManager,
  SetupToken,
  User,
  UserStore,
} from './types.js';

export interface AuthServiceDeps {
  users: UserStore;
  sessions: SessionManager;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  limiter: LoginLimiter;
  /** Only `record` is used: the service writes, never reads. */
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
  /** Needed only for `completeSetup`. */
  setupToken?: SetupToken;
  /** When given, an account with a confirmed second factor also needs `otp` (a TOTP or recovery code). */
  secondFactor?: Pick<SecondFactorService, 'isEnrolled' | 'verifyLogin'>;
  randomBytes?: (size: number) => Buffer;
}

export interface AuthServiceOptions {
  /**
   * Logins verified at once; more wait for nothing and are answered `locked` for a second. Each
   * verification holds 32 MiB and tens of ms of CPU, so an unbounded queue would let a flood from
   * many addresses (each under its own limit) exhaust memory. Default 16.
   */
  maxConcurrentLogins?: number;
}

/** A user as shown to admins: never the hash. */
export interface UserSummary {
  username: string;
  role: Role;
  createdAt: number;
  passwordChangedAt: number;
  disabled: boolean;
}

/** The contract plus the user management that `redoubt user` and the admin API need. */
export interface AuthServiceWithUsers extends AuthService {
  setRole(input: { username: string; role: Role; by: string; address?: string }): void;
  removeUser(input: { username: string; by: string; address?: string }): void;
  listUsers(): UserSummary[];
  /** Creates the first admin with the one-time setup token; refused once any user exists. */
  completeSetup(input: { token: string; username: string; password: string; address?: string }): Promise<void>;
}

const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** Longest name or password a login looks at; longer input is cut, never an error (no oracle). */
const MAX_LOGIN_INPUT = 4096;

/** Every problem with a proposed user name; empty when acceptable. */
export function checkUsername(username: unknown): ValidationIssue[] {
  if (typeof username !== 'string' || !USERNAME_RE.test(username)) {
    return [
      {
        code: 'invalid_username',
        property: 'username',
        message: '1 to 64 characters: letters, digits and . _ @ -, starting with a letter or digit',
      },
    ];
  }
  return [];
}

function summarise(user: User): UserSummary {
  return {
    username: user.username,
    role: user.role,
    createdAt: user.createdAt,
    passwordChangedAt: user.passwordChangedAt,
    disabled: user.disabled === true,
  };
}

/**
 * Builds the service.
 * @example
 * const auth = createAuthService({ users, sessions, hasher, policy, limiter, audit, clock });
 * const result = await auth.login({ username, password, address: req.ip });
 * if (!result.ok && result.reason === 'locked') retryAfter(result.retryAfterMs);
 */
export function createAuthService(deps: AuthServiceDeps, options: AuthServiceOptions = {}): AuthServiceWithUsers {
  const { users, sessions, hasher, policy, limiter, audit, clock } = deps;
  const maxConcurrentLogins = options.maxConcurrentLogins ?? 16;
  if (!Number.isInteger(maxConcurrentLogins) || maxConcurrentLogins < 1) {
    throw new ConfigError('security.login.maxConcurrent', `must be an integer of at least 1, got ${String(maxConcurrentLogins)}`);
  }
  let verifying = 0;
  const randomBytes = deps.randomBytes ?? nodeRandomBytes;
  // Made once, at construction, so that the first unknown-user login costs the same as the others.
  const dummyHash = hasher.hash(randomBytes(24).toString('base64'));
  // A failure here surfaces where it is awaited (the first unknown-user login); this handler only
  // stops Node from reporting it as unhandled before then.
  dummyHash.catch(() => undefined);

  function policyIssues(password: unknown, username: string): ValidationIssue[] {
    const reasons = typeof password === 'string' ? policy.check(password, username) : ['must be a string'];
    return reasons.map((message) => ({ code: 'weak_password', property: 'password', message }));
  }

  function mustGet(username: string): User {
    const user = users.get(username);
    if (!user) throw new NotFoundError('user', username);
    return user;
  }

  function adminCount(): number {
    return users.list().filter((u) => u.role === 'admin' && !u.disabled).length;
  }

  async function createUser(input: { username: string; password: string; role: Role; by: string; address?: string; via?: string }): Promise<void> {
    const issues = [...checkUsername(input.username)];
    if (!isRole(input.role)) issues.push({ code: 'invalid_role', property: 'role', message: 'must be one of viewer, operator, editor, admin' });
    issues.push(...policyIssues(input.password, input.username));
    if (issues.length > 0) throw new ValidationError('Cannot create user', issues);
    if (users.get(input.username)) throw new ConflictError('user_exists', `user '${input.username}' already exists`);
    const passwordHash = await hasher.hash(input.password);
    const now = clock.now();
    users.create({ username: input.username, role: input.role, passwordHash, createdAt: now, passwordChangedAt: now });
    const details: Record<string, unknown> = { target: input.username, role: input.role };
    if (input.via) details.via = input.via;
    audit.record({ event: 'user.create', username: input.by, address: input.address, details });
  }

  return {
    async login(input) {
      const username = typeof input.username === 'string' ? input.username.slice(0, MAX_LOGIN_INPUT) : '';
      const password = typeof input.password === 'string' ? input.password.slice(0, MAX_LOGIN_INPUT) : '';
      const address = input.address;
      const gate = limiter.check(username, address);
      // Refused attempts are not audited one by one: an attacker hammering a lock would otherwise
      // grow the audit log without bound. The lock itself is audited when it starts.
      if (!gate.allowed) return { ok: false, reason: 'locked', retryAfterMs: gate.retryAfterMs };
      // Decided before the user is looked up, so it says nothing about who exists.
      if (verifying >= maxConcurrentLogins) return { ok: false, reason: 'locked', retryAfterMs: 1000 };

      const user = username ? users.get(username) : undefined;
      let result: { ok: boolean; needsRehash: boolean };
      verifying += 1;
      try {
        result = await hasher.verify(password, user ? user.passwordHash : await dummyHash);
      } finally {
        verifying -= 1;
      }
      let ok = user !== undefined && !user.disabled && result.ok;
      // Checked only after the password: a code is never spent (nor its replay guard moved) by
      // someone who does not know the password. A wrong code is answered as a wrong password.
      let secondFactorFailed = false;
      if (ok && user && deps.secondFactor?.isEnrolled(user.username)) {
        const otp = typeof input.otp === 'string' ? input.otp : '';
        secondFactorFailed = !(await deps.secondFactor.verifyLogin({ username: user.username, code: otp, address })).ok;
        ok = !secondFactorFailed;
      }

      if (!ok || !user) {
        const { lockedNow } = limiter.recordFailure(username, address);
        const failed: Parameters<typeof audit.record>[0] = { event: 'auth.login.failed', username: username.slice(0, 128), address };
        if (secondFactorFailed) failed.details = { factor: 'second' };
        audit.record(failed);
        if (lockedNow) {
          const after = limiter.check(username, address);
          const details: Record<string, unknown> = after.allowed ? {} : { reason: after.reason, retryAfterMs: after.retryAfterMs };
          audit.record({ event: 'auth.lockout', username: username.slice(0, 128), address, details });
        }
        return { ok: false, reason: 'invalid_credentials' };
      }

      limiter.recordSuccess(username, address);
      if (result.needsRehash) {
        // An imported Node-RED (bcrypt) or older-cost hash: the password is known good right now,
        // which is the only moment it can be re-hashed. Same password, so sessions stay.
        users.update(user.username, { passwordHash: await hasher.hash(password) });
      }
      const meta: { address?: string; client?: string } = { address };
      if (input.client !== undefined) meta.client = input.client;
      const { token, session } = sessions.create({ username: user.username, role: user.role }, meta);
      const details: Record<string, unknown> = {};
      if (input.client !== undefined) details.client = input.client;
      if (result.needsRehash) details.rehashed = true;
      audit.record({ event: 'auth.login', username: user.username, address, details });
      return {
        ok: true,
        token,
        expiresIn: Math.floor((session.expiresAt - session.createdAt) / 1000),
        user: { username: user.username, role: user.role },
      };
    },

    authenticate(token) {
      return sessions.verify(token);
    },

    logout(token, address) {
      const session = sessions.verify(token);
      const revoked = sessions.revoke(token);
      if (revoked && session) audit.record({ event: 'auth.logout', username: session.username, address });
      return revoked;
    },

    async changePassword(input) {
      const user = mustGet(input.username);
      const issues = policyIssues(input.newPassword, user.username);
      if (issues.length > 0) throw new ValidationError('Cannot change password', issues);
      const passwordHash = await hasher.hash(input.newPassword);
      users.update(user.username, { passwordHash, passwordChangedAt: clock.now() });
      const revoked = sessions.revokeAllFor(user.username);
      audit.record({ event: 'user.password', username: input.by, address: input.address, details: { target: user.username, sessionsRevoked: revoked } });
    },

    createUser: (input) => createUser(input),

    setRole(input) {
      if (!isRole(input.role)) {
        throw new ValidationError('Cannot change role', [{ code: 'invalid_role', property: 'role', message: 'must be one of viewer, operator, editor, admin' }]);
      }
      const user = mustGet(input.username);
      if (user.role === input.role) return;
      if (user.role === 'admin' && adminCount() <= 1) {
        throw new ConflictError('last_admin', `'${user.username}' is the only admin; make another user admin first`);
      }
      users.update(user.username, { role: input.role });
      const revoked = sessions.revokeAllFor(user.username);
      audit.record({
        event: 'user.role',
        username: input.by,
        address: input.address,
        details: { target: user.username, from: user.role, to: input.role, sessionsRevoked: revoked },
      });
    },

    removeUser(input) {
      const user = mustGet(input.username);
      if (user.role === 'admin' && adminCount() <= 1) {
        throw new ConflictError('last_admin', `'${user.username}' is the only admin; make another user admin first`);
      }
      users.remove(user.username);
      const revoked = sessions.revokeAllFor(user.username);
      audit.record({ event: 'user.remove', username: input.by, address: input.address, details: { target: user.username, sessionsRevoked: revoked } });
    },

    listUsers() {
      return users.list().map(summarise);
    },

    async completeSetup(input) {
      const setup = deps.setupToken;
      if (!setup) throw new AuthError('setup_unavailable', 'first-admin setup is not available here');
      if (!setup.isPending()) throw new AuthError('setup_done', 'an admin already exists; log in instead');
      // Check the form before spending the token, so a refused password does not burn the link.
      const issues = [...checkUsername(input.username), ...policyIssues(input.password, input.username)];
      if (issues.length > 0) throw new ValidationError('Cannot create the admin', issues);
      if (!setup.consume(input.token)) {
        audit.record({ event: 'setup.refused', address: input.address });
        throw new AuthError('invalid_setup_token', 'the setup link is invalid, used or expired; restart Redoubt for a new one');
      }
      await createUser({ username: input.username, password: input.password, role: 'admin', by: input.username, address: input.address, via: 'setup' });
    },
  };
}
