/**
 * The security and storage modules a serving Redoubt needs, built on one `redoubt.db`: users,
 * sessions, login limiter, password hasher and policy, setup token, audit log, flow history, and
 * the auth service that ties them together. Used by `redoubt start` and by the server's tests.
 */
import type { Db } from '../storage/database.js';
import { createAuditStore } from '../storage/audit-store.js';
import { createFlowHistory } from '../storage/history-store.js';
import { createSessionStore } from '../storage/sessions-store.js';
import { createUserStore } from '../storage/users-store.js';
import { createSecondFactorStore } from '../storage/second-factor-store.js';
import { createAuditLog } from '../security/audit-log.js';
import {
  createAuthService,
  createLoginLimiter,
  createPasswordHasher,
  createPasswordPolicy,
  createSessionManager,
  createSetupToken,
  createSecondFactor,
  createKeyFileSource,
  type SecondFactorService,
  type AuditLog,
  type AuthServiceWithUsers,
  type Clock,
  type FlowHistory,
  type LoginLimiterOptions,
  type SessionManagerOptions,
  type SetupToken,
  type UserStore,
} from '../security/index.js';

export interface SecurityStackOptions {
  sessions?: SessionManagerOptions;
  login?: LoginLimiterOptions;
  passwordMinLength?: number;
  setupTokenTtlMs?: number;
  historyRetain?: number;
  /** scrypt cost for new hashes (log2 N); default the hasher's. */
  hashCost?: number;
  /** The second-factor sealing key file (`<userDir>/second-factor.key`); without it there is no TOTP. */
  secondFactorKeyFile?: string;
}

export interface SecurityStack {
  users: UserStore;
  auth: AuthServiceWithUsers;
  audit: AuditLog;
  history: FlowHistory;
  setupToken: SetupToken;
  secondFactor?: SecondFactorService;
}

/** @example const stack = createSecurityStack(openDatabase(join(userDir, 'redoubt.db')), {}, { clock: { now: Date.now } }); */
export function createSecurityStack(db: Db, options: SecurityStackOptions, deps: { clock: Clock }): SecurityStack {
  const { clock } = deps;
  const users = createUserStore(db);
  const audit = createAuditLog({ store: createAuditStore(db) }, { clock });
  const sessions = createSessionManager(options.sessions ?? {}, { store: createSessionStore(db), clock });
  const setupToken = createSetupToken({ ttlMs: options.setupTokenTtlMs }, { users, clock });
  const secondFactor =
    options.secondFactorKeyFile === undefined
      ? undefined
      : createSecondFactor({}, { store: createSecondFactorStore(db), users, audit, clock, key: createKeyFileSource(options.secondFactorKeyFile) });
  const auth = createAuthService({
    users,
    sessions,
    hasher: createPasswordHasher(options.hashCost === undefined ? {} : { logN: options.hashCost }),
    policy: createPasswordPolicy(options.passwordMinLength === undefined ? {} : { minLength: options.passwordMinLength }),
    limiter: createLoginLimiter(options.login ?? {}, { clock }),
    audit,
    clock,
    setupToken,
    secondFactor,
  });
  const history = createFlowHistory({ db, retain: options.historyRetain }, { clock });
  return { users, auth, audit, history, setupToken, secondFactor };
}
