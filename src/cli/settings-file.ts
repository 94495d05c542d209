/**
 * `redoubt.yaml`: the installation's declarative settings. Validated at the edge with zod; every
 * problem names the setting and says what is allowed, and a file with problems stops the start.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
// A namespace import lets the bundler drop what is not used (zod's locales, JSON Schema tools).
import * as z from 'zod';
import { ConfigError, ValidationError, type ValidationIssue } from '../errors/index.js';
import { parseCidr } from '../security/ip-address.js';
import { PROFILE_NAMES } from '../security/profiles/index.js';

const cidrList = z.array(z.string().refine((value) => parseCidr(value) !== undefined, 'must be a CIDR range such as 192.168.1.0/24, 10.0.0.5 or fd00::/8'));

const storeSchema = z.object({ module: z.string().min(1), config: z.record(z.string(), z.unknown()).optional() }).strict();

export const settingsSchema = z
  .object({
    flowFile: z.string().min(1).default('flows.json'),
    execEnabled: z.boolean().default(false),
    functionExternalModules: z.boolean().default(false),
    functionExternalModulesAllow: z.array(z.string().min(1)).optional(),
    functionTimeoutMs: z.number().int().min(10).max(600_000).default(1000),
    functionMemoryMb: z.number().int().min(8).max(4096).default(64),
    functionGlobalContext: z.record(z.string(), z.unknown()).default({}),
    contextStorage: z.record(z.string(), z.union([storeSchema, z.string()])).optional(),
    debugMaxLength: z.number().int().min(10).default(1000),
    nodeMessageBufferMaxLength: z.number().int().min(0).default(0),
    nodeCloseTimeout: z.number().min(0.01).max(600).default(15),
    fileWorkingDirectory: z.string().optional(),
    // The server. Loopback only unless the installation says otherwise.
    port: z.number().int().min(0).max(65535).default(1880),
    host: z.string().min(1).default('127.0.0.1'),
    httpAdminRoot: z.string().regex(/^\/?[A-Za-z0-9._~\-/]*$/, 'must be a URL path such as "/" or "/admin"').default('/'),
    httpNodeRoot: z.string().regex(/^\/?[A-Za-z0-9._~\-/]*$/, 'must be a URL path such as "/" or "/api"').default('/'),
    apiMaxLength: z.union([z.number().int().min(1), z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, "must be a size such as '5mb' or a number of bytes")]).default('5mb'),
    /** Hours a login lasts. */
    sessionExpiryHours: z.number().min(0.1).max(24 * 90).default(168),
    /** Minutes of inactivity that end a session. */
    sessionIdleMinutes: z.number().min(1).max(60 * 24 * 30).default(480),
    /** Consecutive failed logins of an account from one address that lock the pair. */
    loginMaxFailures: z.number().int().min(1).max(1000).default(10),
    loginLockoutMinutes: z.number().min(1).max(24 * 60).default(15),
    /** Minimum password length for new passwords. */
    passwordMinLength: z.number().int().min(8).max(1024).default(12),
    flowFilePretty: z.boolean().default(true),
    /** Where the installation runs; decides what must hold before it serves (DESIGN.md's table). */
    profile: z.enum(PROFILE_NAMES).default('local'),
    /** Reverse proxies (CIDRs) whose X-Forwarded-For and X-Forwarded-Proto are believed; no others. */
    trustProxy: cidrList.default([]),
    /** Who may connect: the editor and admin API (comms included), and the http-in endpoints. */
    ipAllowList: z
      .object({ editor: cidrList.min(1, 'list at least one range, or leave the setting out').optional(), httpNode: cidrList.min(1, 'list at least one range, or leave the setting out').optional() })
      .strict()
      .default({}),
    /** Certificate and key files (relative to the user directory); reloaded when they change. */
    https: z
      .object({
        cert: z.string().min(1),
        key: z.string().min(1),
        ca: z.string().min(1).optional(),
        /** A plain-HTTP port that only redirects to HTTPS. */
        redirectHttpPort: z.number().int().min(0).max(65535).optional(),
        /** Strict-Transport-Security max-age in seconds; 0 sends none. */
        hstsMaxAge: z.number().int().min(0).default(31_536_000),
      })
      .strict()
      .optional(),
    /** Scheduled encrypted backups, run by the server; the passphrase comes from REDOUBT_BACKUP_KEY. */
    backups: z
      .object({
        schedule: z.string().regex(/^(off|\d+\s*(m|h|d))$/, "must be 'off' or an interval such as '30m', '24h' or '7d'").default('24h'),
        retain: z.number().int().min(1).max(1000).default(7),
        /** Relative to the user directory; default `backups`. */
        dir: z.string().min(1).default('backups'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RedoubtSettings = z.infer<typeof settingsSchema>;

/** Reads and validates the settings file; a missing file means all defaults. */
export async function loadSettingsFile(path: string): Promise<RedoubtSettings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return settingsSchema.parse({});
    throw new ConfigError(path, `cannot read the settings file: ${(err as Error).message}`, { cause: err });
  }
  return parseSettings(text, path);
}

export function parseSettings(text: string, path = 'redoubt.yaml'): RedoubtSettings {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
    throw new ConfigError(path, `is not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const result = settingsSchema.safeParse(raw);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => {
    const setting = issue.path.join('.') || '(top level)';
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${[...issue.path, k].join('.')}'`).join(', ')}`
        : `'${setting}': ${issue.message}`;
    return { code: 'invalid_setting', property: setting, message };
  });
  throw new ValidationError(`${path} has invalid settings`, issues);
}
