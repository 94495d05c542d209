/**
 * Acting on a profile check: warnings are audited (and returned for the log and `GET /settings`),
 * refusals are audited and stop the start with one `ConfigError` that names the first setting to
 * fix and lists all of them. Also the login limits a profile tightens.
 */
import { ConfigError } from '../../errors/index.js';
import type { LoginLimiterOptions } from '../login-limiter.js';
import type { AuditLog } from '../types.js';
import { formatFinding, type ProfileCheck } from './check-profile.js';
import { PROFILES, type ProfileName } from './profile-table.js';

/**
 * @example const warnings = enforceProfile('public', checkProfile(facts), { audit }); // throws on refusals
 */
export function enforceProfile(profile: ProfileName, check: ProfileCheck, deps: { audit: Pick<AuditLog, 'record'> }): string[] {
  for (const warning of check.warnings) {
    deps.audit.record({ event: 'profile.warning', details: { profile, setting: warning.setting, message: warning.message } });
  }
  if (check.refusals.length > 0) {
    for (const refusal of check.refusals) {
      deps.audit.record({ event: 'profile.refused', details: { profile, setting: refusal.setting, message: refusal.message } });
    }
    const [first, ...rest] = check.refusals;
    const more = rest.length > 0 ? `; also ${rest.map(formatFinding).join('; ')}` : '';
    throw new ConfigError(first!.setting, `${first!.message}${more}`);
  }
  return check.warnings.map(formatFinding);
}

/** The login limiter options under a profile: the settings, tightened where the profile says. */
export function loginOptionsFor(profile: ProfileName, base: LoginLimiterOptions): LoginLimiterOptions {
  const bounds = PROFILES[profile].login;
  if (!bounds) return base;
  return {
    ...base,
    freeFailures: Math.min(base.freeFailures ?? 5, bounds.maxFailuresAtMost - 2),
    maxFailures: Math.min(base.maxFailures ?? 10, bounds.maxFailuresAtMost),
    lockoutMs: Math.max(base.lockoutMs ?? 15 * 60_000, bounds.lockoutMsAtLeast),
    addressMaxFailures: Math.min(base.addressMaxFailures ?? 50, bounds.addressMaxFailuresAtMost),
  };
}
