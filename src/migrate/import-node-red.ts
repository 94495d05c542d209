/**
 * `redoubt import --from-node-red <dir>`: a Node-RED user dir into a Redoubt user dir. Everything
 * is read, decrypted, mapped and validated before the first write, so a wrong secret, a bad
 * settings.js or an occupied target changes nothing. The Node-RED dir is only read (settings.js
 * runs in a child that may not write). A target that already has flows is refused unless
 * `force`, and then its files are first copied to `backups/pre-import-<time>/`.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, copyFile } from 'node:fs/promises';
import { cliOperator } from '../security/cli-operator.js';
import { basename, join, relative, resolve, isAbsolute } from 'node:path';
import { Document, parseDocument } from 'yaml';
import { ConflictError, RedoubtError } from '../errors/index.js';
import { createAuditLog } from '../security/audit-log.js';
import { createVault } from '../security/credential-vault.js';
import type { Clock } from '../security/types.js';
import { writeFileAtomic } from '../storage/atomic-write.js';
import { createAuditStore } from '../storage/audit-store.js';
import { openDatabase } from '../storage/database.js';
import { readFlowsFile, writeFlowsFile } from '../storage/flows-file.js';
import { readTextIfPresent } from '../storage/optional-file.js';
import { acquireRunLock, readRunLock } from '../storage/run-lock.js';
import { createUserStore } from '../storage/users-store.js';
import { parseSettings, settingsSchema } from '../cli/settings-file.js';
import { checkImportedFlows } from './flows-check.js';
import type { ImportItem, ImportReport } from './import-report.js';
import { mapNodeRedSettings, type ImportedUser } from './map-settings.js';
import { readNodeRedDir } from './node-red-dir.js';

export interface ImportNodeRedOptions {
  /** The Node-RED user dir (e.g. ~/.node-red). */
  from: string;
  /** The Redoubt user dir; created when missing. */
  userDir: string;
  /** Replace the flows of a user dir that has some (after a backup). */
  force?: boolean;
  /** Read and report only; write nothing. */
  dryRun?: boolean;
  /** Read for REDOUBT_CREDENTIAL_KEY (the vault) and the variables settings.js may read. */
  env: Readonly<Record<string, string | undefined>>;
  /** A credential secret given by the user, tried first. */
  credentialSecret?: string;
  clock?: Clock;
  /** Node-RED's `flows_<hostname>.json` default; default `os.hostname()`. */
  hostname?: string;
  settingsTimeoutMs?: number;
  /** Who runs the import, for the audit log; default `cli:<os user>`. */
  by?: string;
}

export const IMPORT_REPORT_FILE = 'node-red-import-report.txt';

/**
 * @example
 * const report = await importNodeRed({ from: '/home/pi/.node-red', userDir: '/home/pi/.redoubt', env: process.env });
 * process.stdout.write(formatImportSummary(report));
 */
export async function importNodeRed(options: ImportNodeRedOptions): Promise<ImportReport> {
  const from = resolve(options.from);
  const userDir = resolve(options.userDir);
  const clock = options.clock ?? { now: Date.now };
  const inside = relative(from, userDir);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw new RedoubtError('import_target_inside_source', `the Redoubt user dir ${userDir} is inside the Node-RED dir ${from}: the import never writes there; choose another --user-dir`);
  }

  const nodeRed = await readNodeRedDir(from, {
    env: options.env,
    hostname: options.hostname,
    credentialSecret: options.credentialSecret,
    settingsTimeoutMs: options.settingsTimeoutMs,
  });
  const mapped = mapNodeRedSettings({ nodeRed: nodeRed.settings, nodeRedDir: from, flows: nodeRed.flows });
  const items: ImportItem[] = [...nodeRed.items, ...mapped.items];
  const settings = keepKnownSettings(mapped.settings, items);

  const nodeIds = new Set(nodeRed.flows.map((n) => (n && typeof n === 'object' ? (n as { id?: unknown }).id : undefined)).filter((id): id is string => typeof id === 'string'));
  const credentials: Record<string, Record<string, unknown>> = {};
  const stale: string[] = [];
  for (const [id, creds] of Object.entries(nodeRed.credentials)) {
    if (nodeIds.has(id)) credentials[id] = creds;
    else stale.push(id);
  }
  if (stale.length > 0) items.push({ kind: 'info', subject: 'credentials', message: `${stale.length} entr${stale.length === 1 ? 'y' : 'ies'} for nodes no longer in the flows left behind (Node-RED drops them at its next deploy)` });
  for (const [name, version] of Object.entries(nodeRed.modules)) {
    items.push({ kind: 'not-carried', subject: `package.json: ${name}`, message: `installed in Node-RED (${version}); install it for Redoubt if the flows use its nodes` });
  }
  // What the first start will do with the flows, said before it happens.
  const flowsCheck = checkImportedFlows(nodeRed.flows, basename(nodeRed.flowsPath));
  items.push(...flowsCheck.items);
  if (existsSync(join(from, 'lib'))) items.push({ kind: 'not-carried', subject: 'lib/', message: "the editor's library (saved flows, functions, templates) is not imported" });

  // The target: its current settings decide where its flows are, and whether it has any.
  const configPath = join(userDir, 'redoubt.yaml');
  const existingYaml = await readTextIfPresent(configPath);
  const current = parseSettings(existingYaml ?? '', configPath);
  const doc = existingYaml === undefined ? new Document({}) : parseDocument(existingYaml);
  for (const [key, value] of Object.entries(settings)) doc.set(key, value);
  if (existingYaml === undefined) doc.commentBefore = ` Imported from the Node-RED user dir ${from} on ${new Date(clock.now()).toISOString()}.\n See ${IMPORT_REPORT_FILE} for what was and was not carried over.`;
  const yamlText = doc.toString();
  const merged = parseSettings(yamlText, configPath); // the file as it will be written must be valid
  const flowsPath = resolve(userDir, merged.flowFile);
  const targetFlowsBefore = resolve(userDir, current.flowFile);

  const hasFlows = (await readFlowsFile(targetFlowsBefore)).length > 0 || existsSync(join(userDir, 'flows.cred'));
  const dbPath = join(userDir, 'redoubt.db');
  const by = options.by ?? cliOperator();
  if (hasFlows && !options.force && !options.dryRun) {
    if (existsSync(dbPath)) recordAudit(dbPath, clock, { event: 'import.node-red.refused', username: by, details: { from, reason: 'target has flows' } });
    throw new ConflictError('import_target_not_empty', `${userDir} already has flows (${targetFlowsBefore} or flows.cred): use --force to replace them (the current files are backed up first)`);
  }

  const report: ImportReport = {
    from,
    to: userDir,
    flowsFile: nodeRed.flowsPath,
    nodes: nodeRed.flows.length,
    credentialNodes: Object.keys(credentials).length,
    users: [],
    flowsCheck: { leftOut: flowsCheck.leftOut, waiting: flowsCheck.waiting, refused: flowsCheck.refused },
    items,
  };
  if (options.dryRun) {
    report.users = mapped.users.map((u) => `${u.username} (${u.role})`);
    return report;
  }

  const running = await readRunLock(userDir);
  if (running) throw new ConflictError('redoubt_running', `Redoubt is running on ${userDir} (pid ${running.pid}): stop it before importing`);
  await mkdir(userDir, { recursive: true, mode: 0o700 });
  const lock = await acquireRunLock(userDir);
  try {
    if (hasFlows) report.backup = await backUpTarget(userDir, [targetFlowsBefore, join(userDir, 'flows.cred'), configPath], dbPath, clock);
    // The vault first: it is the write most likely to refuse (a flows.cred under another key).
    await createVault({ userDir, env: options.env }).save(credentials);
    await writeFlowsFile(flowsPath, nodeRed.flows, { pretty: merged.flowFilePretty });
    await writeFileAtomic(configPath, yamlText, { mode: 0o600 });
    if (mapped.copyContextDir && existsSync(join(from, 'context'))) {
      await cp(join(from, 'context'), join(userDir, 'context'), { recursive: true, force: options.force === true, errorOnExist: false });
      items.push({ kind: 'carried', subject: 'context/', message: 'the persistent context files were copied' });
    }
    report.users = addUsers(dbPath, mapped.users, items, clock, by);
    const count = (kind: ImportItem['kind']) => items.filter((i) => i.kind === kind).length;
    recordAudit(dbPath, clock, {
      event: 'import.node-red',
      username: by,
      details: {
        from,
        flowsFile: nodeRed.flowsPath,
        nodes: report.nodes,
        encryptedNodes: report.credentialNodes,
        users: report.users,
        carried: count('carried'),
        notCarried: count('not-carried'),
        decisions: count('decision'),
        flowsCheck: report.flowsCheck,
        forced: options.force === true,
        ...(report.backup ? { backup: report.backup } : {}),
      },
    });
  } finally {
    await lock.release();
  }
  return report;
}

/** Drops keys `redoubt.yaml` does not have (yet) or refuses, each with a report item. */
function keepKnownSettings(candidate: Record<string, unknown>, items: ImportItem[]): Record<string, unknown> {
  const known = new Set(Object.keys(settingsSchema.shape));
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(candidate)) {
    if (!known.has(key)) {
      items.push({ kind: 'not-carried', subject: key, message: `Redoubt has no '${key}' setting yet: ${JSON.stringify(value)} was not carried` });
      continue;
    }
    const result = settingsSchema.safeParse({ [key]: value });
    if (!result.success) {
      items.push({ kind: 'not-carried', subject: key, message: `refused by redoubt.yaml's rules: ${result.error.issues.map((i) => i.message).join('; ')}` });
      continue;
    }
    kept[key] = value;
    items.push({ kind: 'carried', subject: key, message: `set in redoubt.yaml` });
  }
  return kept;
}

function addUsers(dbPath: string, users: readonly ImportedUser[], items: ImportItem[], clock: Clock, by: string): string[] {
  const db = openDatabase(dbPath);
  try {
    const store = createUserStore(db);
    const audit = createAuditLog({ store: createAuditStore(db) }, { clock });
    const added: string[] = [];
    const insert = db.transaction(() => {
      for (const user of users) {
        if (store.get(user.username)) {
          items.push({ kind: 'not-carried', subject: `user ${user.username}`, message: 'a Redoubt user of that name exists and was kept as it is' });
          continue;
        }
        const now = clock.now();
        store.create({ username: user.username, role: user.role, passwordHash: user.passwordHash, createdAt: now, passwordChangedAt: now });
        audit.record({ event: 'user.create', username: by, details: { user: user.username, role: user.role, source: 'node-red import' } });
        added.push(user.username);
      }
    });
    insert();
    if (added.length > 0) items.push({ kind: 'carried', subject: 'adminAuth.users', message: `${added.join(', ')}: their Node-RED passwords work; each is re-hashed at the first login` });
    return added;
  } finally {
    db.close();
  }
}

function recordAudit(dbPath: string, clock: Clock, event: Parameters<ReturnType<typeof createAuditLog>['record']>[0]): void {
  const db = openDatabase(dbPath);
  try {
    createAuditLog({ store: createAuditStore(db) }, { clock }).record(event);
  } finally {
    db.close();
  }
}

async function backUpTarget(userDir: string, files: string[], dbPath: string, clock: Clock): Promise<string> {
  const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
  const dir = join(userDir, 'backups', `pre-import-${stamp}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const file of files) {
    if (!existsSync(file)) continue;
    await copyFile(file, join(dir, relative(userDir, file).replace(/[\\/]/g, '_')));
  }
  if (existsSync(dbPath)) {
    const db = openDatabase(dbPath);
    try {
      await db.backup(join(dir, 'redoubt.db'));
    } finally {
      db.close();
    }
  }
  return dir;
}

