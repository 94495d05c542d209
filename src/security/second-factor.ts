/**
 * The second factor of an account: a TOTP secret (sealed with AES-256-GCM before it reaches the
 * store) and ten hashed recovery codes. Enrolment is two steps, so an account is never locked
 * behind a secret its owner failed to scan: `beginEnrolment` makes a pending secret, and
 * `confirmEnrolment` turns it on once the app shows a valid code. Every change is audited.
 *
 * The sealing key is a random 256-bit key in its own 0600 file (`second-factor.key`), expanded
 * with HKDF. It is not the credential key: `redoubt credentials rotate` would otherwise strand
 * every enrolled secret. Like the credential key, backups never hold it; an installation restored
 * without it asks its admins to re-enrol (`redoubt user 2fa disable` works without the key).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes as nodeRandomBytes } from 'node:crypto';
import { AuthError, ConflictError, NotFoundError, RedoubtError } from '../errors/index.js';
import { createKeyFile, readKeyFile } from './credential-vault.js';
import { generateRecoveryCodes, hashRecoveryCode, matchRecoveryCode } from './recovery-codes.js';
import { TOTP_SECRET_BYTES, base32Encode, totpUri, verifyTotp } from './totp.js';
import type { AuditLog, Clock, UserStore } from './types.js';

/** One account's stored second factor; the secret only ever sealed. */
export interface SecondFactorRecord {
  username: string;
  sealedSecret: string;
  confirmed: boolean;
  /** The TOTP step of the last accepted code (replay guard). */
  lastStep?: number;
  recoveryHashes: string[];
  createdAt: number;
  confirmedAt?: number;
}

export interface SecondFactorStore {
  get(username: string): SecondFactorRecord | undefined;
  list(): SecondFactorRecord[];
  /** Inserts or replaces the account's record. */
  put(record: SecondFactorRecord): void;
  update(username: string, patch: Partial<Pick<SecondFactorRecord, 'confirmed' | 'lastStep' | 'recoveryHashes' | 'confirmedAt'>>): void;
  remove(username: string): boolean;
}

/** Where the sealing key comes from; `createKeyFileSource` in production, a fixed key in tests. */
export interface SecondFactorKey {
  /** The key; undefined when none exists yet (nothing can have been sealed then). */
  get(): Promise<Buffer | undefined>;
  getOrCreate(): Promise<Buffer>;
}

export interface SecondFactorStatus {
  enrolled: boolean;
  pending: boolean;
  recoveryCodesLeft: number;
}

export interface SecondFactorService {
  status(username: string): SecondFactorStatus;
  isEnrolled(username: string): boolean;
  /** A new pending secret and codes, shown once; refused while a confirmed factor exists. */
  beginEnrolment(input: { username: string; by: string; address?: string }): Promise<{ secret: string; uri: string; recoveryCodes: string[] }>;
  /** Turns the pending factor on when `code` is valid; throws `invalid_code` otherwise. */
  confirmEnrolment(input: { username: string; code: string; by: string; address?: string }): Promise<void>;
  disable(input: { username: string; by: string; address?: string }): boolean;
  /** A login's second step: a current TOTP code (once) or an unused recovery code (spent). */
  verifyLogin(input: { username: string; code: string; address?: string }): Promise<{ ok: true; method: 'totp' | 'recovery' } | { ok: false }>;
  /** Enabled admin accounts with no confirmed second factor (the `public` profile refuses them). */
  adminsWithoutSecondFactor(): string[];
}

export interface SecondFactorDeps {
  store: SecondFactorStore;
  users: Pick<UserStore, 'get' | 'list'>;
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
  key: SecondFactorKey;
  randomBytes?: (size: number) => Buffer;
}

export interface SecondFactorOptions {
  /** The issuer shown in authenticator apps; default 'Redoubt'. */
  issuer?: string;
}

const HKDF_INFO = 'redoubt second factor v1';
const SEAL_PREFIX = 'v1';

/**
 * @example
 * const twoFactor = createSecondFactor({}, { store, users, audit, clock, key: createKeyFileSource(join(userDir, 'second-factor.key')) });
 * const { uri, recoveryCodes } = await twoFactor.beginEnrolment({ username: 'ann', by: 'ann' });
 */
export function createSecondFactor(options: SecondFactorOptions, deps: SecondFactorDeps): SecondFactorService {
  const { store, users, audit, clock, key } = deps;
  const issuer = options.issuer ?? 'Redoubt';
  const randomBytes = deps.randomBytes ?? nodeRandomBytes;

  const isEnrolled = (username: string): boolean => store.get(username)?.confirmed === true;

  const secretOf = async (record: SecondFactorRecord): Promise<Buffer> => {
    const raw = await key.get();
    if (!raw) throw new RedoubtError('second_factor_key_missing', 'the second-factor key file is missing: restore it, or disable and re-enrol the second factor');
    return unsealSecondFactorSecret(record.sealedSecret, raw, record.username);
  };

  return {
    isEnrolled,

    status(username) {
      const record = store.get(username);
      return { enrolled: record?.confirmed === true, pending: record !== undefined && !record.confirmed, recoveryCodesLeft: record?.confirmed ? record.recoveryHashes.length : 0 };
    },

    async beginEnrolment(input) {
      const user = users.get(input.username);
      if (!user) throw new NotFoundError('user', input.username);
      if (isEnrolled(user.username)) {
        throw new ConflictError('second_factor_enrolled', `'${user.username}' already has a second factor; disable it first to enrol a new one`);
      }
      const secret = randomBytes(TOTP_SECRET_BYTES);
      const codes = generateRecoveryCodes(randomBytes);
      const sealed = sealSecondFactorSecret(secret, await key.getOrCreate(), user.username, randomBytes);
      store.put({
        username: user.username,
        sealedSecret: sealed,
        confirmed: false,
        recoveryHashes: codes.map((c) => hashRecoveryCode(c)),
        createdAt: clock.now(),
      });
      audit.record({ event: 'auth.2fa.enrol.begin', username: input.by, address: input.address, details: { target: user.username } });
      return { secret: base32Encode(secret), uri: totpUri({ secret, account: user.username, issuer }), recoveryCodes: codes };
    },

    async confirmEnrolment(input) {
      const record = store.get(input.username);
      if (!record || record.confirmed) throw new ConflictError('no_pending_enrolment', `'${input.username}' has no enrolment waiting for a code; start one first`);
      const secret = await secretOf(record);
      const step = verifyTotp({ secret, code: input.code, nowMs: clock.now(), lastStep: record.lastStep });
      if (step === undefined) {
        audit.record({ event: 'auth.2fa.enrol.failed', username: input.by, address: input.address, details: { target: record.username } });
        throw new AuthError('invalid_code', 'the code is not valid; check the time on the device and try the next code');
      }
      store.update(record.username, { confirmed: true, lastStep: step, confirmedAt: clock.now() });
      audit.record({ event: 'auth.2fa.enrol', username: input.by, address: input.address, details: { target: record.username, recoveryCodes: record.recoveryHashes.length } });
    },

    disable(input) {
      const record = store.get(input.username);
      if (!record) return false;
      store.remove(record.username);
      audit.record({ event: 'auth.2fa.disable', username: input.by, address: input.address, details: { target: record.username, wasEnrolled: record.confirmed } });
      return true;
    },

    async verifyLogin(input) {
      const raw = await key.get();
      // From here to the store update nothing awaits, so two logins cannot both spend one code.
      const record = store.get(input.username);
      if (!record || !record.confirmed) return { ok: false };
      if (!raw) {
        // Fails closed, and tells the operator (not the client) why.
        audit.record({ event: 'auth.2fa.error', username: record.username, address: input.address, details: { problem: 'second_factor_key_missing' } });
        return { ok: false };
      }
      const code = input.code.slice(0, 64);
      const step = verifyTotp({ secret: unsealSecondFactorSecret(record.sealedSecret, raw, record.username), code, nowMs: clock.now(), lastStep: record.lastStep });
      if (step !== undefined) {
        store.update(record.username, { lastStep: step });
        audit.record({ event: 'auth.login.2fa', username: record.username, address: input.address, details: { method: 'totp' } });
        return { ok: true, method: 'totp' };
      }
      const index = matchRecoveryCode(record.recoveryHashes, code);
      if (index < 0) return { ok: false };
      const left = record.recoveryHashes.filter((_, i) => i !== index);
      store.update(record.username, { recoveryHashes: left });
      audit.record({ event: 'auth.2fa.recovery-used', username: record.username, address: input.address, details: { left: left.length } });
      audit.record({ event: 'auth.login.2fa', username: record.username, address: input.address, details: { method: 'recovery' } });
      return { ok: true, method: 'recovery' };
    },

    adminsWithoutSecondFactor() {
      return users
        .list()
        .filter((u) => u.role === 'admin' && !u.disabled && !isEnrolled(u.username))
        .map((u) => u.username);
    },
  };
}

function sealKey(raw: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), HKDF_INFO, 32));
}

/** `v1.<iv>.<tag>.<data>`, bound to the account name so a sealed secret cannot be moved to another account. */
export function sealSecondFactorSecret(secret: Buffer, raw: Buffer, username: string, randomBytes: (size: number) => Buffer = nodeRandomBytes): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(raw), iv);
  cipher.setAAD(Buffer.from(username.toLowerCase(), 'utf8'));
  const data = Buffer.concat([cipher.update(secret), cipher.final()]);
  return [SEAL_PREFIX, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join('.');
}

export function unsealSecondFactorSecret(sealed: string, raw: Buffer, username: string): Buffer {
  const [prefix, iv, tag, data] = sealed.split('.');
  if (prefix !== SEAL_PREFIX || !iv || !tag || data === undefined) throw new RedoubtError('second_factor_damaged', `the stored second factor of '${username}' is damaged`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealKey(raw), Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(username.toLowerCase(), 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]);
  } catch (err) {
    throw new RedoubtError('second_factor_damaged', `the stored second factor of '${username}' does not open with the second-factor key (wrong key or altered)`, { cause: err });
  }
}

/**
 * The key in a 0600 file of 64 hex digits (the credential key file's format and checks), made on
 * first enrolment and cached once read.
 */
export function createKeyFileSource(path: string): SecondFactorKey {
  let cached: Buffer | undefined;
  const get = async () => (cached ??= await readKeyFile(path));
  return {
    get,
    async getOrCreate() {
      const existing = await get();
      if (existing) return existing;
      // Another process may make it first: then theirs is the key.
      return (cached = await createKeyFile(path, { takeExisting: true }));
    },
  };
}
