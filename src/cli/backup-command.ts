/**
 * `redoubt backup [--out <file>]` and `redoubt restore <file>`: one encrypted archive of the
 * installation (see `storage/backup/`), and its restore, which checks everything first and
 * refuses while Redoubt runs. The passphrase comes from `REDOUBT_BACKUP_KEY` or, with
 * `--passphrase-stdin`, from stdin; never from argv.
 */
import { readFile } from 'node:fs/promises';
import { cliOperator } from '../security/cli-operator.js';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedoubtError, ValidationError } from '../errors/index.js';
import { createAuditLog } from '../security/audit-log.js';
import { createAuditStore } from '../storage/audit-store.js';
import { BACKUP_KEY_ENV, checkBackupPassphrase, createBackup, restoreBackup } from '../storage/backup/index.js';
import { openDatabase } from '../storage/database.js';
import { defaultUserDir } from './command-io.js';
import { loadSettingsFile, parseSettings } from './settings-file.js';
import type { UserCommandIo } from './user-command.js';
import { parseCommandArgsOrUsage } from './command-args.js';

export const BACKUP_USAGE = `usage:
  redoubt backup [--out <file>] [--no-history]   write an encrypted archive (default <user-dir>/backups/)
  redoubt restore <file>                         check an archive, then replace this installation with it
options:
  --user-dir <dir>       default ~/.redoubt
  --config <file>        default <user-dir>/redoubt.yaml
  --passphrase-stdin     read the backup passphrase from stdin instead of ${BACKUP_KEY_ENV}
The archive never holds the credential key or the second-factor key: keep them apart from it.
`;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}


async function passphraseOf(io: UserCommandIo, fromStdin: boolean): Promise<string> {
  const passphrase = fromStdin ? (await io.readStdin()).replace(/\r?\n$/, '') : io.env[BACKUP_KEY_ENV];
  if (passphrase === undefined || passphrase === '') {
    throw new RedoubtError('no_passphrase', `no backup passphrase: set ${BACKUP_KEY_ENV} or pipe it in with --passphrase-stdin`);
  }
  checkBackupPassphrase(passphrase, fromStdin ? 'the passphrase on stdin' : BACKUP_KEY_ENV);
  return passphrase;
}

/**
 * Runs `redoubt backup ...` (`command` 'backup') or `redoubt restore ...` ('restore').
 * @example
 * await runBackupCommand('backup', ['--out', '/mnt/usb/plant.rdbk'], processUserIo());
 */
export async function runBackupCommand(command: 'backup' | 'restore', args: string[], io: UserCommandIo, options: { scryptCost?: number } = {}): Promise<number> {
  const parsed = parseCommandArgsOrUsage(
    args,
    {
      'user-dir': { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
      'no-history': { type: 'boolean' },
      'passphrase-stdin': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    io,
    { command, usage: BACKUP_USAGE },
  );
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(BACKUP_USAGE);
    return 0;
  }
  if ((command === 'backup' && positionals.length !== 0) || (command === 'restore' && (positionals.length !== 1 || values.out !== undefined))) {
    io.err(BACKUP_USAGE);
    return 2;
  }
  const userDir = resolve(values['user-dir'] ?? defaultUserDir(io.env));
  const settingsFile = values.config === undefined ? join(userDir, 'redoubt.yaml') : resolve(values.config);
  try {
    const passphrase = await passphraseOf(io, values['passphrase-stdin'] === true);
    const clock = { now: Date.now };
    if (command === 'backup') {
      const settings = await loadSettingsFile(settingsFile);
      const db = openDatabase(join(userDir, 'redoubt.db'));
      try {
        const audit = createAuditLog({ store: createAuditStore(db) }, { clock });
        const result = await createBackup(
          {
            userDir,
            flowFile: settings.flowFile,
            settingsFile,
            passphrase,
            out: values.out === undefined ? undefined : resolve(values.out),
            dir: resolve(userDir, settings.backups.dir),
            includeHistory: values['no-history'] !== true,
            redoubtVersion: await packageVersion(),
            by: cliOperator(),
            scryptCost: options.scryptCost,
          },
          { db, audit, clock },
        );
        io.out(`backup written to ${result.path} (${result.bytes} bytes: ${result.entries.join(', ')})\nkeep the credential key (and second-factor key) apart from it: it does not hold them\n`);
      } finally {
        db.close();
      }
      return 0;
    }
    const file = resolve(positionals[0]!);
    const db = openDatabase(join(userDir, 'redoubt.db'));
    try {
      const audit = createAuditLog({ store: createAuditStore(db) }, { clock });
      const result = await restoreBackup({ userDir, file, passphrase, by: cliOperator(), settingsFile, validateSettings: (text) => void parseSettings(text, 'redoubt.yaml in the backup') }, { db, audit });
      io.out(
        `restored the backup of ${new Date(result.createdAt).toISOString()} into ${userDir}: ${result.nodes} flow nodes, ${result.users} users` +
          `${result.secondFactors ? ` (${result.secondFactors} with a second factor)` : ''}${result.historyVersions === undefined ? '' : `, ${result.historyVersions} history versions`}\n` +
          (result.hasCredentials ? 'flows.cred restored: give Redoubt the same credential key (REDOUBT_CREDENTIAL_KEY or credential.key) to open it\n' : '') +
          'sessions were cleared: everyone logs in again\n',
      );
    } finally {
      db.close();
    }
    return 0;
  } catch (error) {
    if (error instanceof ValidationError && error.issues.length > 0) {
      io.err(`redoubt ${command}: ${error.message.split(':')[0]}:\n${error.issues.map((i) => `  - ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n')}\n`);
      return 1;
    }
    if (error instanceof RedoubtError) {
      io.err(`redoubt ${command}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
