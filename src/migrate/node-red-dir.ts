/**
 * Reads a Node-RED user directory, as Node-RED's `localfilesystem` storage would find its files,
 * without changing anything in it: settings.js, the flows file, the credentials file beside it and
 * the generated `_credentialSecret`.
 *
 * Flow file rules (Node-RED 4): `flowFile` absolute is used as is; relative, it is looked up in
 * Node-RED's working directory first, then the user dir. Node-RED's working directory is not
 * known here, so the user dir comes first and this process's cwd second. Without `flowFile` the
 * name is `flows_<hostname>.json`. The credentials file is always in the user dir, named
 * `<flows file base>_cred<ext>`.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { RedoubtError } from '../errors/index.js';
import { readTextIfPresent } from '../storage/optional-file.js';
import type { ImportItem } from './import-report.js';
import { openNodeRedCredentials, type CredentialSecretCandidate, type NodeRedCredentials } from './node-red-credentials.js';
import { loadNodeRedSettings, type NodeRedSettings } from './node-red-settings.js';

export interface NodeRedDir {
  dir: string;
  settings: NodeRedSettings;
  flowsPath: string;
  flows: unknown[];
  credentialsPath: string;
  credentials: NodeRedCredentials;
  /** Contrib modules installed in the user dir (`package.json` dependencies). */
  modules: Record<string, string>;
  items: ImportItem[];
}

export interface ReadNodeRedDirOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Default `os.hostname()`. */
  hostname?: string;
  /** Default `process.cwd()`. */
  cwd?: string;
  /** A secret given by the user (`--credential-secret-env`), tried before the ones found in the dir. */
  credentialSecret?: string;
  settingsTimeoutMs?: number;
}

/**
 * @example
 * const nr = await readNodeRedDir('/home/pi/.node-red', { env: process.env });
 * nr.flows.length; nr.credentials['a1b2'].password;
 */
export async function readNodeRedDir(dirPath: string, options: ReadNodeRedDirOptions): Promise<NodeRedDir> {
  const dir = resolve(dirPath);
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    throw new RedoubtError('node_red_dir_missing', `${dir} cannot be read: ${err.code ?? err.message}`, { cause: err, place: { file: dir } });
  });
  if (!info.isDirectory()) throw new RedoubtError('node_red_dir_missing', `${dir} is not a directory`, { place: { file: dir } });
  const items: ImportItem[] = [];
  const settingsPath = join(dir, 'settings.js');
  if (!existsSync(settingsPath)) items.push({ kind: 'info', subject: 'settings.js', message: 'not found: Node-RED ran with its defaults' });
  const settings = await loadNodeRedSettings(settingsPath, { env: options.env, timeoutMs: options.settingsTimeoutMs });
  const values = settings.values;

  await refuseActiveProject(dir, values);

  const flowsPath = await findFlowsFile(dir, values.flowFile, options, items);
  const flows = await readFlows(flowsPath);
  const credentialsPath = join(dir, `${basename(flowsPath, extname(flowsPath))}_cred${extname(flowsPath)}`);
  const runtimeConfig = await readRuntimeConfig(dir);

  const candidates: CredentialSecretCandidate[] = [];
  if (options.credentialSecret) candidates.push({ secret: options.credentialSecret, source: '--credential-secret-env' });
  // Node-RED's order: a generated secret still on disk is the one the file was last written with.
  if (typeof runtimeConfig.secret === 'string') candidates.push({ secret: runtimeConfig.secret, source: `${runtimeConfig.file} (_credentialSecret)` });
  if (typeof values.credentialSecret === 'string') candidates.push({ secret: values.credentialSecret, source: 'settings.js (credentialSecret)' });
  else if (values.credentialSecret !== undefined && values.credentialSecret !== false) {
    items.push({ kind: 'info', subject: 'credentialSecret', message: 'not a string, so Node-RED ignored it' });
  }

  let credentials: NodeRedCredentials = {};
  const credText = await readTextIfPresent(credentialsPath);
  if (credText !== undefined && credText.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(credText);
    } catch (err) {
      throw new RedoubtError('node_red_credentials_invalid', `${credentialsPath} is not valid JSON`, { cause: err, place: { file: credentialsPath } });
    }
    const opened = openNodeRedCredentials(parsed, candidates, credentialsPath);
    credentials = opened.credentials;
    items.push({ kind: 'info', subject: basename(credentialsPath), message: opened.openedWith ? `decrypted with the secret from ${opened.openedWith}` : 'was not encrypted (credentialSecret: false)' });
  }

  return { dir, settings, flowsPath, flows, credentialsPath, credentials, modules: await readModules(dir), items };
}

async function refuseActiveProject(dir: string, values: NodeRedSettings['values']): Promise<void> {
  const theme = values.editorTheme;
  const projects = theme && typeof theme === 'object' && !Array.isArray(theme) ? (theme as Record<string, unknown>).projects : undefined;
  const enabled = projects && typeof projects === 'object' && (projects as Record<string, unknown>).enabled === true;
  if (!enabled) return;
  const config = await readJson(join(dir, '.config.projects.json'));
  const active = config && typeof config === 'object' ? (config as { activeProject?: unknown }).activeProject : undefined;
  if (typeof active === 'string') {
    throw new RedoubtError(
      'node_red_projects_unsupported',
      `${dir} uses Node-RED projects (active project '${active}'): Redoubt imports a plain user dir only. Copy the project's flow and credentials files into a user dir with a settings.js holding the project's credentialSecret, and import that`,
      { place: { file: join(dir, 'projects', active) } },
    );
  }
}

async function findFlowsFile(dir: string, flowFile: unknown, options: ReadNodeRedDirOptions, items: ImportItem[]): Promise<string> {
  if (typeof flowFile === 'string' && flowFile !== '') {
    if (isAbsolute(flowFile)) return flowFile;
    const inDir = join(dir, flowFile);
    const inCwd = resolve(options.cwd ?? process.cwd(), flowFile);
    if (!existsSync(inDir) && existsSync(inCwd)) {
      items.push({ kind: 'info', subject: 'flowFile', message: `'${flowFile}' is not in the Node-RED dir; read from ${inCwd} (Node-RED looks in its working directory first)` });
      return inCwd;
    }
    return inDir;
  }
  const name = `flows_${options.hostname ?? osHostname()}.json`;
  const path = join(dir, name);
  if (existsSync(path)) return path;
  // A user dir copied from another machine keeps that machine's name in the file name.
  const others = (await readdir(dir)).filter((f) => /^flows_.+\.json$/.test(f) && !/_cred\.json$/.test(f));
  if (others.length === 1 && others[0] !== undefined) {
    items.push({ kind: 'info', subject: 'flowFile', message: `no ${name}; read ${others[0]}, the only flows_<hostname>.json in the dir` });
    return join(dir, others[0]);
  }
  if (others.length > 1) {
    throw new RedoubtError('node_red_flows_ambiguous', `settings.js names no flowFile and ${dir} holds several flows files (${others.join(', ')}): set flowFile in a copy of settings.js`, { place: { file: dir } });
  }
  return path;
}

async function readFlows(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RedoubtError(code === 'ENOENT' ? 'node_red_flows_missing' : 'read_failed', `${path} cannot be read: ${code ?? (err as Error).message}`, { cause: err, place: { file: path } });
  }
  if (text.trim() === '') return [];
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new RedoubtError('flows_file_invalid', `${path} is not valid JSON: ${(err as Error).message}`, { cause: err, place: { file: path } });
  }
  if (Array.isArray(data)) return data;
  if (data && typeof data === 'object' && Array.isArray((data as { flows?: unknown }).flows)) return (data as { flows: unknown[] }).flows;
  throw new RedoubtError('flows_file_invalid', `${path} must hold a JSON array of nodes`, { place: { file: path } });
}

async function readRuntimeConfig(dir: string): Promise<{ secret?: unknown; file: string }> {
  // Node-RED 1.x and later keep runtime settings in .config.runtime.json; 0.x used .config.json.
  for (const file of ['.config.runtime.json', '.config.json']) {
    const data = await readJson(join(dir, file));
    if (data && typeof data === 'object' && '_credentialSecret' in data) return { secret: (data as { _credentialSecret: unknown })._credentialSecret, file };
  }
  return { file: '.config.runtime.json' };
}

async function readModules(dir: string): Promise<Record<string, string>> {
  const pkg = await readJson(join(dir, 'package.json'));
  const deps = pkg && typeof pkg === 'object' ? (pkg as { dependencies?: unknown }).dependencies : undefined;
  const out: Record<string, string> = {};
  if (deps && typeof deps === 'object') for (const [name, version] of Object.entries(deps)) if (typeof version === 'string') out[name] = version;
  return out;
}

async function readJson(path: string): Promise<unknown> {
  const text = await readTextIfPresent(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RedoubtError('read_failed', `${path} is not valid JSON`, { cause: err, place: { file: path } });
  }
}
