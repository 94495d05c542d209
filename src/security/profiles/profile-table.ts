/**
 * The deployment profiles of DESIGN.md as data: where each may listen, what it requires and what
 * it recommends. `check-profile.ts` reads this table; nothing else decides what a profile needs.
 */

export const PROFILE_NAMES = ['local', 'closed-lan', 'private-network', 'public'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** What a control needs under a profile. */
export type Need = 'not-needed' | 'optional' | 'recommended' | 'required';

export interface ProfileRules {
  /** 'loopback': only loopback addresses; 'private': loopback or private ones; 'any': no limit. */
  listen: 'loopback' | 'private' | 'any';
  https: Need;
  editorAllowList: Need;
  adminSecondFactor: Need;
  /** Login limiter bounds the profile imposes over the settings (stricter only). */
  login?: { maxFailuresAtMost: number; lockoutMsAtLeast: number; addressMaxFailuresAtMost: number };
}

export const PROFILES: Readonly<Record<ProfileName, ProfileRules>> = {
  local: { listen: 'loopback', https: 'not-needed', editorAllowList: 'not-needed', adminSecondFactor: 'optional' },
  'closed-lan': { listen: 'private', https: 'optional', editorAllowList: 'optional', adminSecondFactor: 'optional' },
  'private-network': { listen: 'private', https: 'recommended', editorAllowList: 'recommended', adminSecondFactor: 'optional' },
  public: {
    // A public address is allowed only with TLS on it; that rule lives with the HTTPS check.
    listen: 'any',
    https: 'required',
    editorAllowList: 'required',
    adminSecondFactor: 'required',
    login: { maxFailuresAtMost: 5, lockoutMsAtLeast: 30 * 60_000, addressMaxFailuresAtMost: 20 },
  },
};

export function isProfileName(value: unknown): value is ProfileName {
  return typeof value === 'string' && (PROFILE_NAMES as readonly string[]).includes(value);
}
