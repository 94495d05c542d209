/**
 * `restoreBackup`: checks the whole archive before it touches anything (authenticates and
 * decrypts it, checks the manifest and format version, parses the flows with the engine's
 * `parseFlows`, the settings with the caller's validator, the users and their factors), refuses
 * while a Redoubt runs on the directory and holds the run lock meanwhile so none starts, then
 * writes: every file first to a staging name beside its target, then the database in one
 * transaction, then the staged files renamed into place. A failure before the renames leaves the
 * directory as it was.
 *
 * The restored installation is the backed-up one: same flows, settings, credentials file, users,
 * password hashes, second factors and disabled node sets (and history when the archive has it).
 * Sessions are cleared. An archive made before node sets were backed up leaves the target's
 * disabled sets as they are: a restore never switches a set back on that it knows nothing about.
 * The audit log is kept and gains a `backup.restore` record. The credential key is not in the
 * archive: give it separately (`REDOUBT_CREDENTIAL_KEY` or the key file) for credentials to open.
 */
import { readFile, rename } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { RedoubtError, ValidationError, type ValidationIssue } from '../../errors/index.js';
import { parseFlows } from '../../runtime/flow-model/parse-flows.js';
import type { SecondFactorRecord } from '../../security/second-factor.js';
import { ROLES, type AuditLog, type User } from '../../security/types.js';
import { writeFileAtomic } from '../atomic-write.js';
import type { Db } from '../database.js';
import { acquireRunLock, readRunLock, type RunLockDeps } from '../run-lock.js';
import { createNodeSetsStore, type DisabledNodeSet } from '../node-sets-store.js';
import { unlinkIfPresent } from '../optional-file.js';
import { createSecondFactorStore } from '../second-factor-store.js';
import { createSessionStore } from '../sessions-store.js';
import { createUserStore } from '../users-store.js';
import { openArchive } from './archive.js';
import type { BackupMeta } from './create-backup.js';

export interface RestoreOptions {
  userDir: string;
  /** The archive to restore. */
  file: string;
  passphrase: string;
  /** Who asked, for the audit log. */
  by: string;
  /** Checks `redoubt.yaml`'s text; throws on a file the start would refuse. */
  validateSettings?: (text: string) => void;
  /** Where `redoubt.yaml` goes; default `<userDir>/redoubt.yaml`. */
  settingsFile?: string;
}

export interface RestoreDeps {
  /** The target's `redoubt.db`. */
  db: Db;
  audit: Pick<AuditLog, 'record'>;
  runLock?: RunLockDeps;
}

export interface RestoreResult {
  createdAt: number;
  redoubtVersion: string;
  flowFile: string;
  nodes: number;
  users: number;
  secondFactors: number;
  historyVersions?: number;
  hasCredentials: boolean;
  /** What the archive does not hold and the operator must bring (credential key...). */
  excluded: readonly string[];
}

interface Checked {
  meta: BackupMeta;
  users: User[];
  secondFactors: SecondFactorRecord[];
  /** Absent in archives older than node-set backups. */
  disabledNodeSets?: DisabledNodeSet[];
  history?: Array<{ version: number; at: number; username: string | null; summary: string; rev: string; flows: Buffer }>;
  nodes: number;
}

/**
 * @example
 * await restoreBackup({ userDir, file, passphrase, by: 'cli:ann', validateSettings: parseSettings }, { db, audit });
 */
export async function restoreBackup(options: RestoreOptions, deps: RestoreDeps): Promise<RestoreResult> {
  await refuseWhileRunning(options.userDir, deps.runLock);
  const archive = await openArchive(await readFile(options.file), options.passphrase);
  const checked = check(archive.entries, options);

  const lock = await acquireRunLock(options.userDir, deps.runLock);
  try {
    const files: Array<{ path: string; data: Buffer; mode: number }> = [
      { path: join(options.userDir, checked.meta.flowFile), data: archive.entries['flows.json']!, mode: 0o644 },
    ];
    const credPath = join(options.userDir, 'flows.cred');
    if (archive.entries['flows.cred']) files.push({ path: credPath, data: archive.entries['flows.cred'], mode: 0o600 });
    if (archive.entries['redoubt.yaml']) files.push({ path: options.settingsFile ?? join(options.userDir, 'redoubt.yaml'), data: archive.entries['redoubt.yaml'], mode: 0o600 });

    const staged: string[] = [];
    try {
      for (const file of files) {
        const stage = `${file.path}.restoring`;
        await writeFileAtomic(stage, file.data, { mode: file.mode });
        staged.push(stage);
      }
      replaceDatabase(deps.db, checked);
    } catch (err) {
      for (const stage of staged) await unlinkIfPresent(stage);
      throw err;
    }
    for (const file of files) await rename(`${file.path}.restoring`, file.path);
    // Credentials of another installation, under another key, would not match the restored flows.
    if (!archive.entries['flows.cred']) await moveAside(credPath);

    const result: RestoreResult = {
      createdAt: archive.createdAt,
      redoubtVersion: archive.redoubtVersion,
      flowFile: checked.meta.flowFile,
      nodes: checked.nodes,
      users: checked.users.length,
      secondFactors: checked.secondFactors.length,
      hasCredentials: archive.entries['flows.cred'] !== undefined,
      excluded: checked.meta.excluded,
    };
    if (checked.history) result.historyVersions = checked.history.length;
    deps.audit.record({
      event: 'backup.restore',
      username: options.by,
      details: { file: basename(options.file), createdAt: archive.createdAt, backupAuditHead: checked.meta.auditHead, users: result.users, nodes: result.nodes },
    });
    return result;
  } finally {
    await lock.release();
  }
}

async function refuseWhileRunning(userDir: string, runLock: RunLockDeps | undefined): Promise<void> {
  const running = await readRunLock(userDir, runLock);
  if (running) {
    throw new RedoubtError('already_running', `Redoubt is running on ${userDir} (pid ${running.pid}): stop it before restoring; nothing was changed`);
  }
}

/** Every check that can fail runs here, before anything is written. */
function check(entries: Record<string, Buffer>, options: RestoreOptions): Checked {
  const issues: ValidationIssue[] = [];
  const json = (name: string): unknown => {
    const data = entries[name];
    if (!data) {
      issues.push({ code: 'missing_entry', path: name, message: `the archive has no ${name}` });
      return undefined;
    }
    try {
      return JSON.parse(data.toString('utf8'));
    } catch {
      issues.push({ code: 'invalid_json', path: name, message: `${name} is not valid JSON` });
      return undefined;
    }
  };
  const meta = json('meta.json') as BackupMeta | undefined;
  if (meta && (typeof meta.flowFile !== 'string' || !/^[A-Za-z0-9._-]+$/.test(meta.flowFile) || meta.flowFile.startsWith('.'))) {
    issues.push({ code: 'invalid_flow_file', path: 'meta.json', message: 'the flow file name must be a plain file name in the user directory' });
  }
  let nodes = 0;
  const flows = json('flows.json');
  if (flows !== undefined) {
    try {
      parseFlows(flows);
      nodes = Array.isArray(flows) ? flows.length : 0;
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      issues.push(...err.issues.map((i) => ({ ...i, path: `flows.json${i.path ? ` ${i.path}` : ''}` })));
    }
  }
  if (entries['flows.cred']) {
    let envelope: Record<string, unknown> | undefined;
    try {
      envelope = JSON.parse(entries['flows.cred'].toString('utf8')) as Record<string, unknown>;
    } catch {
      envelope = undefined;
    }
    if (!envelope || envelope.v !== 1 || typeof envelope.data !== 'string' || typeof envelope.tag !== 'string') {
      issues.push({ code: 'invalid_credentials_file', path: 'flows.cred', message: 'flows.cred is not a Redoubt credentials file (version 1)' });
    }
  }
  if (entries['redoubt.yaml'] && options.validateSettings) {
    try {
      options.validateSettings(entries['redoubt.yaml'].toString('utf8'));
    } catch (err) {
      if (!(err instanceof RedoubtError)) throw err;
      issues.push({ code: 'invalid_settings', path: 'redoubt.yaml', message: err.message });
    }
  }
  const people = json('users.json') as { users?: unknown; secondFactors?: unknown } | undefined;
  const users = Array.isArray(people?.users) ? (people.users as User[]) : [];
  const secondFactors = Array.isArray(people?.secondFactors) ? (people.secondFactors as SecondFactorRecord[]) : [];
  if (people && !Array.isArray(people.users)) issues.push({ code: 'invalid_users', path: 'users.json', message: 'users.json has no user list' });
  const names = new Set<string>();
  for (const u of users) {
    const ok =
      u !== null &&
      typeof u === 'object' &&
      typeof u.username === 'string' &&
      (ROLES as readonly unknown[]).includes(u.role) &&
      typeof u.passwordHash === 'string' &&
      Number.isFinite(u.createdAt) &&
      Number.isFinite(u.passwordChangedAt);
    if (!ok) issues.push({ code: 'invalid_user', path: 'users.json', message: `user ${JSON.stringify(String(u?.username))} is not a valid user record` });
    else if (names.has(u.username.toLowerCase())) issues.push({ code: 'duplicate_user', path: 'users.json', message: `user '${u.username}' appears twice` });
    else names.add(u.username.toLowerCase());
  }
  for (const f of secondFactors) {
    const ok =
      f !== null &&
      typeof f === 'object' &&
      typeof f.username === 'string' &&
      names.has(f.username.toLowerCase()) &&
      typeof f.sealedSecret === 'string' &&
      f.sealedSecret.startsWith('v1.') &&
      Array.isArray(f.recoveryHashes) &&
      f.recoveryHashes.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h));
    if (!ok) issues.push({ code: 'invalid_second_factor', path: 'users.json', message: `the second factor of ${JSON.stringify(String(f?.username))} is not valid or has no user` });
  }
  let disabledNodeSets: DisabledNodeSet[] | undefined;
  if (entries['node-sets.json']) {
    const sets = (json('node-sets.json') as { disabled?: unknown } | undefined)?.disabled;
    if (!Array.isArray(sets)) issues.push({ code: 'invalid_node_sets', path: 'node-sets.json', message: 'node-sets.json has no list of disabled node sets' });
    else {
      disabledNodeSets = sets as DisabledNodeSet[];
      for (const s of disabledNodeSets) {
        const ok =
          s !== null &&
          typeof s === 'object' &&
          typeof s.id === 'string' &&
          /^[^\s/]+(\/[^\s/]+)+$/.test(s.id) &&
          s.id.length <= 256 &&
          Number.isFinite(s.disabledAt) &&
          typeof s.disabledBy === 'string';
        if (!ok) issues.push({ code: 'invalid_node_set', path: 'node-sets.json', message: `node set ${JSON.stringify(String(s?.id))} is not a valid record (module/set, time, user)` });
      }
    }
  }
  let history: Checked['history'];
  if (entries['history.json']) {
    const rows = json('history.json');
    if (!Array.isArray(rows)) issues.push({ code: 'invalid_history', path: 'history.json', message: 'history.json is not a list of versions' });
    else {
      history = rows.map((r: Record<string, unknown>) => ({
        version: Number(r.version),
        at: Number(r.at),
        username: typeof r.username === 'string' ? r.username : null,
        summary: String(r.summary),
        rev: String(r.rev),
        flows: Buffer.from(String(r.flows), 'base64'),
      }));
      if (history.some((h) => !Number.isInteger(h.version) || !Number.isFinite(h.at))) {
        issues.push({ code: 'invalid_history', path: 'history.json', message: 'history.json has a version without a number or time' });
      }
    }
  }
  if (issues.length > 0 || !meta) throw new ValidationError('The backup cannot be restored; nothing was changed', issues);
  const result: Checked = { meta: { ...meta, excluded: Array.isArray(meta.excluded) ? meta.excluded : [] }, users, secondFactors, nodes };
  if (history) result.history = history;
  if (disabledNodeSets) result.disabledNodeSets = disabledNodeSets;
  return result;
}

function replaceDatabase(db: Db, checked: Checked): void {
  const users = createUserStore(db);
  const factors = createSecondFactorStore(db);
  const nodeSets = createNodeSetsStore(db);
  createSessionStore(db);
  db.transaction(() => {
    db.exec('DELETE FROM sessions; DELETE FROM second_factors; DELETE FROM users;');
    for (const user of checked.users) users.create(user);
    for (const factor of checked.secondFactors) factors.put(factor);
    if (checked.disabledNodeSets) nodeSets.replaceAll(checked.disabledNodeSets);
    if (checked.history) {
      db.exec(`CREATE TABLE IF NOT EXISTS flow_history (
        version INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, username TEXT,
        summary TEXT NOT NULL, rev TEXT NOT NULL, flows BLOB NOT NULL)`);
      db.exec('DELETE FROM flow_history');
      const insert = db.prepare('INSERT INTO flow_history (version, at, username, summary, rev, flows) VALUES (?, ?, ?, ?, ?, ?)');
      for (const h of checked.history) insert.run(h.version, h.at, h.username, h.summary, h.rev, h.flows);
    }
  })();
}

async function moveAside(path: string): Promise<void> {
  try {
    await rename(path, `${path}.before-restore`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
