/**
 * The deployment profile at `redoubt start`: gathers the facts the pure check needs from the real
 * machine (its interfaces, what `host` resolves to, the TLS files, which admins have a second
 * factor), runs `checkProfile`, audits the outcome and stops the start on a refusal. Returns the
 * warnings (for the log and `GET /settings`) and the loaded TLS material.
 */
import { lookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { classifyAddress } from '../security/ip-address.js';
import { checkProfile, enforceProfile, type InterfaceList, type ProfileName } from '../security/profiles/index.js';
import { readTlsMaterial, type TlsFiles, type TlsMaterial } from '../security/tls/index.js';
import type { AuditLog, User } from '../security/index.js';
import type { RedoubtSettings } from './settings-file.js';

export interface ProfileStartDeps {
  audit: Pick<AuditLog, 'record'>;
  users: { list(): User[] };
  /** Admins without a confirmed second factor; without the service, every admin counts. */
  adminsWithoutSecondFactor?: () => string[];
  /** Default `os.networkInterfaces()`; tests pass simulated lists. */
  interfaces?: () => InterfaceList;
  /** Resolves a host name; default `dns.lookup` (all addresses). */
  resolveHost?: (host: string) => Promise<string[]>;
}

export interface ProfileStart {
  profile: ProfileName;
  warnings: string[];
  tlsFiles?: TlsFiles;
  tls?: TlsMaterial;
}

async function resolveHost(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true })).map((entry) => entry.address);
  } catch (err) {
    // An unresolvable name leaves the list empty; the check refuses it, naming `host`.
    if ((err as NodeJS.ErrnoException).code === 'ENOTFOUND' || (err as NodeJS.ErrnoException).code === 'EAI_AGAIN') return [];
    throw err;
  }
}

/**
 * @example const { warnings, tls } = await applyProfileAtStart(settings, { userDir, profile }, { audit, users, adminsWithoutSecondFactor });
 */
export async function applyProfileAtStart(settings: RedoubtSettings, options: { userDir: string; profile?: ProfileName }, deps: ProfileStartDeps): Promise<ProfileStart> {
  const profile = options.profile ?? settings.profile;
  const inUserDir = (path: string) => (isAbsolute(path) ? path : join(options.userDir, path));
  const tlsFiles: TlsFiles | undefined = settings.https
    ? { certFile: inUserDir(settings.https.cert), keyFile: inUserDir(settings.https.key), caFile: settings.https.ca === undefined ? undefined : inUserDir(settings.https.ca) }
    : undefined;
  // A pair that does not load is a refusal of its own (ConfigError naming https.cert/https.key).
  const tls = tlsFiles ? await readTlsMaterial(tlsFiles) : undefined;
  const admins = deps.users.list().filter((user) => user.role === 'admin' && !user.disabled);
  const host = settings.host;
  const needsLookup = classifyAddress(host) === undefined;
  const check = checkProfile({
    profile,
    host,
    hostAddresses: needsLookup ? await (deps.resolveHost ?? resolveHost)(host) : undefined,
    interfaces: (deps.interfaces ?? networkInterfaces)(),
    https: tls !== undefined,
    trustProxy: settings.trustProxy,
    allowList: settings.ipAllowList,
    admins: { total: admins.length, withoutSecondFactor: deps.adminsWithoutSecondFactor?.() ?? admins.map((user) => user.username) },
  });
  const warnings = enforceProfile(profile, check, { audit: deps.audit });
  return { profile, warnings, tlsFiles, tls };
}
