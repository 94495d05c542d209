/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30-second steps, six
 * digits, the form every authenticator app reads from an `otpauth://` URI. Pure: time comes in as
 * a number, and the caller keeps the last accepted step so a code is never accepted twice.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RedoubtError } from '../errors/index.js';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** One step either side absorbs clock drift between the phone and the server. */
export const TOTP_WINDOW = 1;
/** 160 bits, the HMAC-SHA1 block the RFC recommends. */
export const TOTP_SECRET_BYTES = 20;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, as authenticator apps expect secrets. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes base32, ignoring case, spaces, dashes and padding (people type secrets in groups). */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const index = BASE32.indexOf(ch);
    if (index < 0) throw new RedoubtError('invalid_base32', 'the secret is not base32 (letters A-Z and digits 2-7)');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

/** The HOTP value of `counter` (RFC 4226 section 5.3), zero-padded to `digits`. */
export function hotp(secret: Uint8Array, counter: number, digits = TOTP_DIGITS): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The time step a moment (ms since the epoch) falls in. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_STEP_SECONDS);
}

/** The code an app shows at `nowMs`. */
export function totpCode(secret: Uint8Array, nowMs: number, digits = TOTP_DIGITS): string {
  return hotp(secret, totpStep(nowMs), digits);
}

export interface TotpCheck {
  secret: Uint8Array;
  code: string;
  nowMs: number;
  /** The step of the last code accepted for this secret; that step and older ones are refused. */
  lastStep?: number;
}

/**
 * The step the code matches within the window, newer than `lastStep`; undefined when none does.
 * Store the returned step as the new `lastStep`: that is what refuses a replayed code.
 * @example
 * const step = verifyTotp({ secret, code: '287082', nowMs: Date.now(), lastStep });
 * if (step === undefined) refuse(); else saveLastStep(step);
 */
export function verifyTotp(check: TotpCheck): number | undefined {
  const code = check.code.replace(/\s/g, '');
  if (!/^\d+$/.test(code) || code.length !== TOTP_DIGITS) return undefined;
  const current = totpStep(check.nowMs);
  const given = Buffer.from(code);
  let matched: number | undefined;
  // Every step in the window is compared, so the time taken does not say which one matched.
  for (let step = current - TOTP_WINDOW; step <= current + TOTP_WINDOW; step++) {
    if (step < 0) continue;
    const expected = Buffer.from(hotp(check.secret, step));
    if (timingSafeEqual(expected, given) && (check.lastStep === undefined || step > check.lastStep)) matched = step;
  }
  return matched;
}

/**
 * The `otpauth://totp/...` URI an authenticator app enrols from (as a QR code or pasted).
 * @example
 * totpUri({ secret, account: 'ann', issuer: 'Redoubt' }) // otpauth://totp/Redoubt:ann?secret=...
 */
export function totpUri(input: { secret: Uint8Array; account: string; issuer: string }): string {
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.account)}`;
  const query = new URLSearchParams({
    secret: base32Encode(input.secret),
    issuer: input.issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${query.toString()}`;
}
