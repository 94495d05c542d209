/**
 * From Node-RED's settings.js values to `redoubt.yaml` values, users and report items. Pure: the
 * caller has read everything, and decides what to write.
 */
import { isBcryptHash } from '../security/passwords.js';
import type { Role } from '../security/types.js';
import type { ImportItem } from './import-report.js';
import { UncarriableValue, type NodeRedSettings, type SettingsObject, type SettingsValue } from './node-red-settings.js';

export interface ImportedUser {
  username: string;
  role: Role;
  /** Node-RED's bcrypt hash, kept as is; Redoubt re-hashes it at the first login. */
  passwordHash: string;
}

export interface MappedSettings {
  /** Candidate `redoubt.yaml` keys; the caller drops those the schema does not know or refuses. */
  settings: Record<string, unknown>;
  users: ImportedUser[];
  items: ImportItem[];
  /** Copy `<node-red dir>/context` to the Redoubt user dir (a file context store kept its default dir). */
  copyContextDir: boolean;
}

export interface MapSettingsInput {
  nodeRed: NodeRedSettings;
  /** The Node-RED user dir (to tell a context dir of its own from one elsewhere). */
  nodeRedDir: string;
  flows: readonly unknown[];
}

/** Keys read for the import itself; not settings of the new installation. */
const USED_FOR_IMPORT = new Set(['flowFile', 'credentialSecret', 'userDir']);
/** bcryptjs above this cost blocks the event loop; Redoubt's hasher refuses it (passwords.ts). */
const MAX_BCRYPT_COST = 12;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

const uncarriable = (value: SettingsValue): boolean =>
  value instanceof UncarriableValue || (Array.isArray(value) ? value.some(uncarriable) : isObject(value) && Object.values(value).some(uncarriable));

function isObject(value: SettingsValue | undefined): value is SettingsObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof UncarriableValue);
}

function describe(value: SettingsValue): string {
  if (value instanceof UncarriableValue) return value.what;
  const found: string[] = [];
  const visit = (v: SettingsValue, path: string) => {
    if (v instanceof UncarriableValue) found.push(`${path} is ${v.what}`);
    else if (Array.isArray(v)) v.forEach((item, i) => visit(item, `${path}[${i}]`));
    else if (isObject(v)) for (const [k, item] of Object.entries(v)) visit(item, path ? `${path}.${k}` : k);
  };
  visit(value, '');
  return found.slice(0, 3).join(', ');
}

/**
 * @example
 * const mapped = mapNodeRedSettings({ nodeRed, nodeRedDir, flows });
 * mapped.settings.port // 1880
 */
export function mapNodeRedSettings(input: MapSettingsInput): MappedSettings {
  const values = input.nodeRed.values;
  const out: Record<string, unknown> = {};
  const items: ImportItem[] = [];
  const users: ImportedUser[] = [];
  let copyContextDir = false;
  const add = (kind: ImportItem['kind'], subject: string, message: string) => items.push({ kind, subject, message });
  const handled = new Set<string>(USED_FOR_IMPORT);
  const take = (key: string): SettingsValue | undefined => {
    handled.add(key);
    return values[key];
  };
  const copyPlain = (key: string, target = key) => {
    const value = take(key);
    if (value === undefined) return;
    if (uncarriable(value)) add('not-carried', key, `cannot carry over: ${describe(value)}`);
    else out[target] = value;
  };

  if (values.credentialSecret !== undefined) {
    add('info', 'credentialSecret', "used to decrypt the credentials; Redoubt's vault has its own key (credential.key, or REDOUBT_CREDENTIAL_KEY)");
  }

  // Listening.
  const port = take('uiPort');
  if (port !== undefined) {
    const n = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
    if (typeof n === 'number') out.port = n;
    else add('not-carried', 'uiPort', `cannot carry over: ${port instanceof UncarriableValue ? port.what : 'not a port number'}`);
  }
  const host = take('uiHost');
  if (typeof host === 'string' && host !== '') {
    out.host = host;
    if (!LOOPBACK.test(host)) {
      add('decision', 'uiHost', `carried over as host '${host}': choose the profile that matches the network (closed-lan or private-network; see docs/deploy/), or Redoubt refuses to start`);
    }
  } else {
    add(
      'decision',
      'uiHost',
      "Node-RED listened on every interface; Redoubt listens on 127.0.0.1 only (profile 'local'). To serve other machines set host and the profile that matches the network (docs/deploy/)",
    );
  }

  const https = take('https');
  if (https !== undefined) mapHttps(https, input.nodeRed.files, out, add);
  const requireHttps = take('requireHttps');
  if (requireHttps === true) add('info', 'requireHttps', 'Redoubt redirects HTTP to HTTPS whenever both listen');

  for (const key of ['httpAdminRoot', 'httpNodeRoot'] as const) {
    const value = take(key);
    if (value === undefined) continue;
    if (typeof value === 'string') out[key] = value;
    else if (value === false) add('not-carried', key, `Node-RED had ${key === 'httpAdminRoot' ? 'the editor and admin API' : 'the http-in endpoints'} turned off (false); Redoubt has no such switch`);
    else add('not-carried', key, 'cannot carry over: not a URL path');
  }
  const httpRoot = take('httpRoot');
  if (httpRoot !== undefined) add('not-carried', 'httpRoot', 'deprecated in Node-RED; set httpAdminRoot and httpNodeRoot instead');

  const nodeAuth = take('httpNodeAuth');
  if (nodeAuth !== undefined) {
    if (isObject(nodeAuth) && typeof nodeAuth.user === 'string' && typeof nodeAuth.pass === 'string') {
      if (isBcryptHash(nodeAuth.pass)) out.httpNodeAuth = { user: nodeAuth.user, pass: nodeAuth.pass };
      else add('not-carried', 'httpNodeAuth', "'pass' is not a bcrypt hash (plain or MD5 passwords are refused by Redoubt): make one with `node-red admin hash-pw` and set httpNodeAuth");
    } else {
      add('not-carried', 'httpNodeAuth', `cannot carry over: must be { user, pass }${uncarriable(nodeAuth) ? ` (${describe(nodeAuth)})` : ''}`);
    }
  }

  mapAdminAuth(take('adminAuth'), users, add);

  // Function node and context.
  copyPlain('functionExternalModules');
  if (out.functionExternalModules === true) {
    add('decision', 'functionExternalModules', 'kept on as in Node-RED: function nodes may load npm modules. Set functionExternalModules: false in redoubt.yaml if no flow needs it');
  }
  // Node-RED 4 enforces globalFunctionTimeout (seconds) on every function node; functionTimeout
  // is only the editor's default for a new node's own timeout, which each node keeps in flows.json.
  const timeout = take('globalFunctionTimeout');
  if (typeof timeout === 'number' && timeout > 0) out.functionTimeoutMs = Math.min(600_000, Math.max(10, Math.round(timeout * 1000)));
  else if (timeout !== undefined) add('info', 'globalFunctionTimeout', "Node-RED had no function timeout (0); Redoubt's functionTimeoutMs default (1000 ms) applies");
  if (take('functionTimeout') !== undefined) {
    add('info', 'functionTimeout', "the editor's default timeout for new function nodes: not carried; each node's own timeout in flows.json applies, below functionTimeoutMs");
  }

  const globals = take('functionGlobalContext');
  if (isObject(globals)) {
    const plain: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(globals)) {
      if (uncarriable(value)) {
        add('not-carried', `functionGlobalContext.${key}`, `${describe(value)}: modules and functions cannot be carried; load modules in the function node's Setup tab (functionExternalModules)`);
      } else {
        plain[key] = value;
      }
    }
    if (Object.keys(plain).length > 0) out.functionGlobalContext = plain;
  } else if (globals !== undefined) {
    add('not-carried', 'functionGlobalContext', `cannot carry over: ${globals instanceof UncarriableValue ? globals.what : 'not an object'}`);
  }

  const stores = take('contextStorage');
  if (stores !== undefined) copyContextDir = mapContextStorage(stores, input.nodeRedDir, out, add);

  copyPlain('flowFilePretty');
  copyPlain('debugMaxLength');
  copyPlain('nodeMessageBufferMaxLength');
  copyPlain('apiMaxLength');
  copyPlain('fileWorkingDirectory');

  const execNodes = input.flows.filter((n) => isNode(n) && n.type === 'exec').map((n) => (n as { id: unknown }).id);
  if (execNodes.length > 0) {
    add('decision', 'exec', `the flows use ${execNodes.length} exec node(s) (${execNodes.slice(0, 5).join(', ')}${execNodes.length > 5 ? ', ...' : ''}). Node-RED always allows them; Redoubt has them off: set execEnabled: true in redoubt.yaml to run them (the change is audited)`);
  }

  for (const key of Object.keys(values)) {
    if (handled.has(key)) continue;
    const value = values[key] as SettingsValue;
    add('not-carried', key, uncarriable(value) ? `no equivalent in Redoubt (and ${describe(value)})` : 'no equivalent setting in Redoubt');
  }
  if (input.nodeRed.envUnset.length > 0) {
    add('info', 'environment', `settings.js read ${input.nodeRed.envUnset.join(', ')}, unset during the import: values computed from them may differ from the running Node-RED's`);
  }
  return { settings: out, users, items, copyContextDir };
}

function isNode(value: unknown): value is { type: unknown; id: unknown } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

type Add = (kind: ImportItem['kind'], subject: string, message: string) => void;

function mapHttps(https: SettingsValue, files: Record<string, string>, out: Record<string, unknown>, add: Add): void {
  if (!isObject(https)) {
    add('not-carried', 'https', `cannot carry over: ${https instanceof UncarriableValue ? https.what : 'not an object'} (set the certificate and key files in redoubt.yaml)`);
    return;
  }
  const keyFile = files['https.key'];
  const certFile = files['https.cert'];
  if (keyFile && certFile) {
    const caFile = files['https.ca'];
    out.https = caFile ? { cert: certFile, key: keyFile, ca: caFile } : { cert: certFile, key: keyFile };
    add('info', 'https', `certificate ${certFile} and key ${keyFile} are read from where Node-RED read them; copy them into Redoubt's tls/ and change https in redoubt.yaml if the Node-RED dir is to be removed`);
  } else {
    add('not-carried', 'https', 'the key and certificate are not read from files (inline text or computed): save them as files and set https.cert and https.key in redoubt.yaml');
  }
  for (const key of Object.keys(https)) {
    if (key !== 'key' && key !== 'cert' && !(key === 'ca' && files['https.ca'])) add('not-carried', `https.${key}`, 'no equivalent in Redoubt');
  }
}

function mapAdminAuth(adminAuth: SettingsValue | undefined, users: ImportedUser[], add: Add): void {
  if (adminAuth === undefined) {
    add('info', 'adminAuth', 'Node-RED had no adminAuth (anyone could edit the flows); Redoubt prints a one-time setup link at first start to create the first admin');
    return;
  }
  if (!isObject(adminAuth)) {
    add('not-carried', 'adminAuth', `cannot carry over: ${adminAuth instanceof UncarriableValue ? adminAuth.what : 'not an object'}; create users with 'redoubt user add'`);
    return;
  }
  if (adminAuth.type !== 'credentials') {
    add('not-carried', 'adminAuth.type', `'${String(adminAuth.type)}' (e.g. an OAuth strategy) has no equivalent; create users with 'redoubt user add'`);
  }
  if (adminAuth.default !== undefined) add('not-carried', 'adminAuth.default', 'anonymous access has no equivalent: Redoubt always requires a login');
  for (const key of Object.keys(adminAuth)) {
    if (!['type', 'users', 'default'].includes(key)) add('not-carried', `adminAuth.${key}`, `cannot carry over${adminAuth[key] instanceof UncarriableValue ? `: ${(adminAuth[key] as UncarriableValue).what}` : ''}`);
  }
  const list = adminAuth.users;
  if (list === undefined) return;
  if (!Array.isArray(list)) {
    add('not-carried', 'adminAuth.users', `cannot carry over: ${list instanceof UncarriableValue ? list.what : 'not a list'} (a users function authenticates elsewhere); create users with 'redoubt user add'`);
    return;
  }
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    const subject = `adminAuth.users[${i}]`;
    if (!isObject(entry) || typeof entry.username !== 'string' || entry.username === '') {
      add('not-carried', subject, 'not a { username, password, permissions } entry');
      return;
    }
    const username = entry.username;
    if (seen.has(username.toLowerCase())) {
      add('not-carried', subject, `'${username}' appears twice (Redoubt's user names ignore case); the first is kept`);
      return;
    }
    if (typeof entry.password !== 'string' || !isBcryptHash(entry.password)) {
      add('not-carried', subject, `'${username}' has no bcrypt password hash; create the user with 'redoubt user add ${username}'`);
      return;
    }
    seen.add(username.toLowerCase());
    const cost = Number(entry.password.slice(4, 6));
    if (cost > MAX_BCRYPT_COST) {
      add('decision', subject, `'${username}' has a bcrypt cost of ${cost} (Redoubt verifies up to ${MAX_BCRYPT_COST}): imported, but set a new password with 'redoubt user passwd ${username}' before they can log in`);
    }
    const role = roleFor(entry.permissions);
    if (role.note) add('decision', subject, `'${username}' had permissions ${JSON.stringify(role.from)}; imported as ${role.role}. Change with 'redoubt user role ${username} <role>'`);
    users.push({ username, role: role.role, passwordHash: entry.password });
  });
}

/** `*` is everything (admin); `read` and lists of `*.read` are read-only (viewer); anything else is imported read-only and listed. */
function roleFor(permissions: SettingsValue | undefined): { role: Role; note: boolean; from: unknown } {
  const list = Array.isArray(permissions) ? permissions : [permissions];
  if (list.includes('*')) return { role: 'admin', note: false, from: permissions };
  if (list.length > 0 && list.every((p) => p === 'read' || (typeof p === 'string' && p.endsWith('.read')))) return { role: 'viewer', note: false, from: permissions };
  return { role: 'viewer', note: true, from: permissions instanceof UncarriableValue ? permissions.what : permissions };
}

function mapContextStorage(stores: SettingsValue, nodeRedDir: string, out: Record<string, unknown>, add: Add): boolean {
  if (!isObject(stores)) {
    add('not-carried', 'contextStorage', `cannot carry over: ${stores instanceof UncarriableValue ? stores.what : 'not an object'}`);
    return false;
  }
  const mapped: Record<string, unknown> = {};
  let copyDir = false;
  for (const [name, store] of Object.entries(stores)) {
    const subject = `contextStorage.${name}`;
    if (typeof store === 'string') {
      mapped[name] = store; // an alias of another store
      continue;
    }
    if (!isObject(store) || typeof store.module !== 'string' || !['memory', 'localfilesystem'].includes(store.module)) {
      add('not-carried', subject, `only the 'memory' and 'localfilesystem' modules carry over${isObject(store) && store.module instanceof UncarriableValue ? ' (this one is a module object)' : ''}`);
      continue;
    }
    const config = store.config;
    if (config !== undefined && (!isObject(config) || uncarriable(config))) {
      add('not-carried', subject, `its config cannot carry over: ${describe(config)}`);
      continue;
    }
    const entry: Record<string, unknown> = { module: store.module };
    if (config !== undefined) {
      const { dir, ...rest } = config;
      if (store.module === 'localfilesystem' && (dir === undefined || dir === nodeRedDir)) {
        copyDir = true;
        if (dir !== undefined) add('info', `${subject}.config.dir`, "pointed at the Node-RED dir; the context files are copied and Redoubt keeps them in its own user dir");
      } else if (dir !== undefined) {
        rest.dir = dir;
        add('decision', `${subject}.config.dir`, `carried over as '${String(dir)}': Node-RED and Redoubt must not run on that directory at the same time`);
      }
      if (Object.keys(rest).length > 0) entry.config = rest;
    } else if (store.module === 'localfilesystem') {
      copyDir = true;
    }
    mapped[name] = entry;
  }
  if (Object.keys(mapped).length > 0) out.contextStorage = mapped;
  return copyDir;
}
