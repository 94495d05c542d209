/**
 * Reads a Node-RED `settings.js`.
 *
 * Why evaluate rather than parse: settings.js is a program, and real ones compute their values
 * (`process.env.PORT || 1880`, `fs.readFileSync('cert.pem')`, `require('path').join(__dirname, ...)`,
 * spread defaults). A parser would see only the literal cases and silently miss the rest. So the
 * file is executed, but never in this process: a child `node` runs it under the permission model
 * (it may read files, it may not write, spawn processes or start workers), with network functions
 * replaced by ones that throw, a minimal environment (HOME/USER and the `NODE_RED_*` variables,
 * since settings files commonly take their secret from one) and a hard timeout. What comes back is
 * JSON; anything that is not plain data is reported as "cannot carry over" with what it was.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { RedoubtError } from '../errors/index.js';
import { SETTINGS_CHILD_SCRIPT } from './settings-child-script.js';

/** A value of settings.js that is not plain data (a function, a module, a class instance...). */
export class UncarriableValue {
  constructor(readonly what: string) {}
}

export type SettingsValue = null | boolean | number | string | UncarriableValue | SettingsValue[] | { [key: string]: SettingsValue };
export type SettingsObject = { [key: string]: SettingsValue };

export interface NodeRedSettings {
  /** `module.exports` of settings.js, non-data values replaced by `UncarriableValue`. */
  values: SettingsObject;
  /** Setting path (`https.key`) → the file `fs.readFileSync` read it from. */
  files: Record<string, string>;
  /** Environment variables settings.js read that were not set while it ran. */
  envUnset: string[];
}

export interface LoadSettingsOptions {
  /** The environment to pick HOME, USER and `NODE_RED_*` from; usually `process.env`. */
  env: Readonly<Record<string, string | undefined>>;
  /** Default 10 s. */
  timeoutMs?: number;
}

const ENV_PASSED = /^(HOME|USER|USERPROFILE|LOGNAME|TZ|LANG|NODE_RED_.*)$/;
/** Read by Node's own modules, not by the settings file. */
const ENV_INTERNAL = /^(NODE_DEBUG|NODE_V8_COVERAGE|NODE_PENDING_DEPRECATION|NODE_NO_WARNINGS|NODE_OPTIONS)$/;

interface ChildResult {
  ok: boolean;
  error?: string;
  settings?: unknown;
  files?: Record<string, string>;
  envUnset?: string[];
}

/**
 * @example
 * const { values } = await loadNodeRedSettings('/home/pi/.node-red/settings.js', { env: process.env });
 * values.credentialSecret // 'a-secret' or an UncarriableValue or undefined
 */
export async function loadNodeRedSettings(settingsPath: string, options: LoadSettingsOptions): Promise<NodeRedSettings> {
  if (!existsSync(settingsPath)) return { values: {}, files: {}, envUnset: [] };
  const marker = `$redoubt-uncarriable-${randomBytes(8).toString('hex')}`;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env)) if (value !== undefined && ENV_PASSED.test(key)) env[key] = value;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const child = spawn(
    process.execPath,
    ['--experimental-permission', '--allow-fs-read=*', '--no-warnings', '-e', SETTINGS_CHILD_SCRIPT, settingsPath, marker],
    { env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
  );
  const chunks: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdio[3]?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const exit = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  }).finally(() => clearTimeout(timer));
  const place = { file: settingsPath };
  if (timedOut) {
    throw new RedoubtError('node_red_settings_timeout', `${settingsPath} did not finish within ${timeoutMs} ms when evaluated (does it wait for something?)`, { place });
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let result: ChildResult;
  try {
    result = JSON.parse(text) as ChildResult;
  } catch (err) {
    const detail = Buffer.concat(stderr).toString('utf8').trim().split('\n').slice(-3).join(' / ');
    throw new RedoubtError('node_red_settings_failed', `${settingsPath} could not be evaluated (exit ${String(exit)})${detail ? `: ${detail}` : ''}`, { cause: err, place });
  }
  if (!result.ok) throw new RedoubtError('node_red_settings_failed', `${settingsPath} could not be evaluated: ${result.error ?? 'unknown error'}`, { place });
  const values = revive(result.settings, marker);
  if (values === null || typeof values !== 'object' || Array.isArray(values) || values instanceof UncarriableValue) {
    throw new RedoubtError('node_red_settings_failed', `${settingsPath} must export an object (module.exports = { ... })`, { place });
  }
  return {
    values,
    files: result.files ?? {},
    envUnset: (result.envUnset ?? []).filter((key) => !ENV_INTERNAL.test(key)).sort(),
  };
}

function revive(value: unknown, marker: string): SettingsValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => revive(item, marker));
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && keys[0] === marker) return new UncarriableValue(String(record[marker]));
    const out: SettingsObject = {};
    // '__proto__' would set the prototype instead of a key; no Node-RED setting is called that.
    for (const key of keys) if (key !== '__proto__') out[key] = revive(record[key], marker);
    return out;
  }
  return new UncarriableValue(`a ${typeof value}`);
}
