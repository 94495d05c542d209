/**
 * `createBackup`: one encrypted archive of what makes an installation itself: the flows file,
 * `flows.cred` exactly as on disk (still sealed under the credential key), `redoubt.yaml`, the
 * users with their password hashes and sealed second factors, the node sets switched off,
 * optionally the flow history, and the audit log's head (so a later `audit-log verify` can tell whether records were cut off).
 *
 * Left out on purpose: the credential key file and the second-factor key file (a stolen backup
 * must not open the secrets it carries; keep those keys elsewhere), sessions (a restore logs
 * everyone out), and the audit log's records (it is append-only evidence; it stays where it is).
 */
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { AuditLog, Clock } from '../../security/types.js';
import type { Db } from '../database.js';
import { writeFileAtomic } from '../atomic-write.js';
import { createNodeSetsStore } from '../node-sets-store.js';
import { createSecondFactorStore } from '../second-factor-store.js';
import { createUserStore } from '../users-store.js';
import { sealArchive } from './archive.js';
import { readBytesIfPresent } from '../optional-file.js';

export const BACKUP_FILE_PREFIX = 'redoubt-';
export const BACKUP_FILE_SUFFIX = '.rdbk';
/** What a backup never holds; listed in the archive so a restore can say what to bring. */
export const BACKUP_EXCLUDED = ['credential.key', 'second-factor.key', 'sessions', 'audit log records'] as const;

export interface CreateBackupOptions {
  userDir: string;
  /** The flows file's name in the user directory (`flowFile` setting); default `flows.json`. */
  flowFile?: string;
  /** Default `<userDir>/redoubt.yaml`. */
  settingsFile?: string;
  passphrase: string;
  /** The archive's path; default `<userDir>/backups/redoubt-<time>.rdbk`. */
  out?: string;
  /** Default `<userDir>/backups`. */
  dir?: string;
  includeHistory?: boolean;
  redoubtVersion: string;
  /** Who asked, for the audit log (`cli:<user>`, `scheduler`). */
  by: string;
  scryptCost?: number;
}

export interface CreateBackupDeps {
  db: Db;
  audit: Pick<AuditLog, 'record' | 'head'>;
  clock: Clock;
}

export interface BackupResult {
  path: string;
  bytes: number;
  createdAt: number;
  entries: string[];
}

/** What `meta.json` in an archive holds. */
export interface BackupMeta {
  flowFile: string;
  auditHead: { seq: number; hash: string };
  excluded: readonly string[];
}

/** `redoubt-20260128T031500123Z.rdbk`: names sort in time order, which retention relies on. */
export function backupFileName(at: number): string {
  return `${BACKUP_FILE_PREFIX}${new Date(at).toISOString().replace(/[-:.]/g, '')}${BACKUP_FILE_SUFFIX}`;
}

/**
 * @example
 * const { path } = await createBackup({ userDir, passphrase, redoubtVersion: '0.1.0', by: 'cli:ann' }, { db, audit, clock });
 */
export async function createBackup(options: CreateBackupOptions, deps: CreateBackupDeps): Promise<BackupResult> {
  const { db, audit, clock } = deps;
  const flowFile = options.flowFile ?? 'flows.json';
  const createdAt = clock.now();
  const entries: Record<string, Buffer> = {};

  entries['flows.json'] = (await readBytesIfPresent(join(options.userDir, flowFile))) ?? Buffer.from('[]');
  const cred = await readBytesIfPresent(join(options.userDir, 'flows.cred'));
  if (cred) entries['flows.cred'] = cred;
  const settings = await readBytesIfPresent(options.settingsFile ?? join(options.userDir, 'redoubt.yaml'));
  if (settings) entries['redoubt.yaml'] = settings;

  const users = createUserStore(db);
  const factors = createSecondFactorStore(db);
  const nodeSets = createNodeSetsStore(db);
  // One read transaction: users, their factors, the history and the audit head from one moment.
  const snapshot = db.transaction(() => {
    const history = options.includeHistory
      ? (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'flow_history'").get()
          ? (db.prepare('SELECT version, at, username, summary, rev, flows FROM flow_history ORDER BY version').all() as Array<Record<string, unknown>>)
          : [])
      : undefined;
    return { users: users.list(), secondFactors: factors.list(), disabledNodeSets: nodeSets.disabled(), history, auditHead: audit.head() };
  })();
  entries['users.json'] = Buffer.from(JSON.stringify({ users: snapshot.users, secondFactors: snapshot.secondFactors }), 'utf8');
  entries['node-sets.json'] = Buffer.from(JSON.stringify({ disabled: snapshot.disabledNodeSets }), 'utf8');
  if (snapshot.history) {
    const rows = snapshot.history.map((row) => ({ ...row, flows: Buffer.from(row.flows as Buffer).toString('base64') }));
    entries['history.json'] = Buffer.from(JSON.stringify(rows), 'utf8');
  }
  const meta: BackupMeta = { flowFile, auditHead: snapshot.auditHead, excluded: BACKUP_EXCLUDED };
  entries['meta.json'] = Buffer.from(JSON.stringify(meta), 'utf8');

  const archive = await sealArchive({ createdAt, redoubtVersion: options.redoubtVersion, entries }, options.passphrase, { scryptCost: options.scryptCost });
  const dir = options.dir ?? join(options.userDir, 'backups');
  const path = options.out ? (isAbsolute(options.out) ? options.out : join(process.cwd(), options.out)) : join(dir, backupFileName(createdAt));
  if (!options.out) await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, archive, { mode: 0o600 });
  const names = Object.keys(entries).sort();
  audit.record({ event: 'backup.create', username: options.by, details: { file: path, bytes: archive.length, entries: names, users: snapshot.users.length } });
  return { path, bytes: archive.length, createdAt, entries: names };
}
