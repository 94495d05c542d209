/**
 * Password hashing: scrypt from node:crypto for every hash we make, and Node-RED's bcrypt hashes
 * accepted so that an imported `adminAuth` user can log in once and be moved to scrypt.
 * Stored form: `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>`, so the cost can be raised later
 * and older hashes still verify (and report `needsRehash`).
 */
import { randomBytes as nodeRandomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { ConfigError } from '../errors/index.js';
import type { PasswordHasher } from './types.js';

export interface PasswordHasherOptions {
  /** log2 of scrypt's N (CPU/memory cost); 15 to 18, default 15 (32 MiB with r = 8). */
  logN?: number;
  /** scrypt block size; default 8. */
  r?: number;
  /** scrypt parallelism; default 1. */
  p?: number;
}

export interface PasswordHasherDeps {
  randomBytes?: (size: number) => Buffer;
}

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/**
 * Node-RED's hashes use cost 8 (`node-red admin hash-pw`). bcryptjs runs on the main thread, and
 * each step doubles the time (cost 12 is about a third of a second), so higher costs are refused
 * rather than let one stored hash stall the event loop.
 */
const MAX_BCRYPT_ROUNDS = 12;
const MAX_LOG_N = 18;
/** 128 * N * r bytes of memory per hash; 2^21 keeps one hash under 256 MiB. */
const MAX_N_TIMES_R = 2 ** 21;
const BCRYPT_RE = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

/** Whether a stored hash is a Node-RED (bcrypt) hash. */
export function isBcryptHash(hash: string): boolean {
  return BCRYPT_RE.test(hash);
}

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

function deriveKey(password: string, salt: Buffer, params: ScryptParams, keyLength: number): Promise<Buffer> {
  // maxmem must exceed 128 * N * r or node refuses; leave headroom rather than compute it exactly.
  const maxmem = 256 * params.N * params.r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { N: params.N, r: params.r, p: params.p, maxmem }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

interface ParsedScrypt extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

function parseScrypt(hash: string): ParsedScrypt | undefined {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, nText, rText, pText, saltText, keyText] = parts as [string, string, string, string, string, string];
  if (!/^\d{1,8}$/.test(nText) || !/^\d{1,2}$/.test(rText) || !/^\d{1,2}$/.test(pText)) return undefined;
  const N = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  // A stored hash is data: refuse costs that are not a power of two or would exhaust memory.
  if (N < 2 || (N & (N - 1)) !== 0 || r < 1 || N * r > MAX_N_TIMES_R || p < 1 || p > 16) return undefined;
  if (!BASE64_RE.test(saltText) || !BASE64_RE.test(keyText)) return undefined;
  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  if (salt.length < 8 || key.length < 16 || key.length > 128) return undefined;
  return { N, r, p, salt, key };
}

/**
 * Builds the hasher. Cost options are checked here, so a bad setting stops the start.
 * @example
 * const hasher = createPasswordHasher();
 * const stored = await hasher.hash('a long passphrase');
 * (await hasher.verify('a long passphrase', stored)).ok // true
 */
export function createPasswordHasher(options: PasswordHasherOptions = {}, deps: PasswordHasherDeps = {}): PasswordHasher {
  const logN = options.logN ?? 15;
  const r = options.r ?? 8;
  const p = options.p ?? 1;
  if (!Number.isInteger(logN) || logN < 15 || logN > MAX_LOG_N) {
    throw new ConfigError('security.password.scrypt.logN', `must be an integer from 15 to ${MAX_LOG_N}, got ${String(logN)}`);
  }
  if (!Number.isInteger(r) || r < 8 || 2 ** logN * r > MAX_N_TIMES_R) {
    throw new ConfigError('security.password.scrypt.r', `must be an integer from 8 to ${MAX_N_TIMES_R / 2 ** logN} with logN ${logN}`);
  }
  if (!Number.isInteger(p) || p < 1 || p > 16) throw new ConfigError('security.password.scrypt.p', 'must be an integer from 1 to 16');
  const current: ScryptParams = { N: 2 ** logN, r, p };
  const randomBytes = deps.randomBytes ?? nodeRandomBytes;

  return {
    async hash(password) {
      const salt = randomBytes(SALT_BYTES);
      const key = await deriveKey(password, salt, current, KEY_BYTES);
      return ['scrypt', current.N, current.r, current.p, salt.toString('base64'), key.toString('base64')].join('$');
    },

    async verify(password, hash) {
      if (typeof password !== 'string' || typeof hash !== 'string') return { ok: false, needsRehash: false };
      const bcryptMatch = BCRYPT_RE.exec(hash);
      if (bcryptMatch) {
        if (Number(bcryptMatch[1]) > MAX_BCRYPT_ROUNDS) return { ok: false, needsRehash: false };
        // bcryptjs compares its result in constant time.
        const ok = await bcrypt.compare(password, hash);
        return { ok, needsRehash: true };
      }
      const parsed = parseScrypt(hash);
      if (!parsed) return { ok: false, needsRehash: false };
      const key = await deriveKey(password, parsed.salt, parsed, parsed.key.length);
      const ok = timingSafeEqual(key, parsed.key);
      const needsRehash = parsed.N < current.N || parsed.r !== current.r || parsed.p !== current.p || parsed.key.length !== KEY_BYTES;
      return { ok, needsRehash };
    },
  };
}
