/**
 * Recovery codes: ten single-use codes shown once at enrolment, for when the phone is lost. Only
 * their hashes are stored. Each code carries 50 random bits, far beyond what the login limiter
 * lets anyone guess, so a plain SHA-256 is enough: a slow KDF would add nothing but a timing
 * difference between "password right, code wrong" and "password wrong".
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { base32Encode } from './totp.js';

export const RECOVERY_CODE_COUNT = 10;
const CODE_BYTES = 7;

/** Ten fresh codes, shown as `xxxxx-xxxxx` (lower-case base32, 50 bits each). */
export function generateRecoveryCodes(randomBytes: (size: number) => Buffer, count = RECOVERY_CODE_COUNT): string[] {
  const codes: string[] = [];
  for (let i = 0; i < count; i++) {
    const text = base32Encode(randomBytes(CODE_BYTES)).slice(0, 10).toLowerCase();
    codes.push(`${text.slice(0, 5)}-${text.slice(5)}`);
  }
  return codes;
}

/** How a code is typed does not matter: case, spaces and dashes are ignored. */
export function normaliseRecoveryCode(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase();
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(`redoubt-recovery-v1:${normaliseRecoveryCode(code)}`).digest('hex');
}

/**
 * The index of the stored hash the code matches, or -1. Remove that hash to spend the code.
 * @example
 * const i = matchRecoveryCode(hashes, typed);
 * if (i >= 0) store(hashes.filter((_, j) => j !== i));
 */
export function matchRecoveryCode(hashes: readonly string[], code: string): number {
  if (normaliseRecoveryCode(code).length !== 10) return -1;
  const given = Buffer.from(hashRecoveryCode(code), 'hex');
  let found = -1;
  hashes.forEach((hash, index) => {
    const stored = Buffer.from(hash, 'hex');
    if (stored.length === given.length && timingSafeEqual(stored, given) && found < 0) found = index;
  });
  return found;
}
