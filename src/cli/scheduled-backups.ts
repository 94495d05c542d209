/**
 * The `backups:` settings put to work by `redoubt start`: a scheduler writing an encrypted
 * archive every `schedule` into `dir`, keeping `retain` of them. Without `REDOUBT_BACKUP_KEY` no
 * backup can be encrypted, so none is scheduled, and that is said at start and audited.
 */
import { join, resolve } from 'node:path';
import type { LogEntry } from '../index.js';
import type { AuditLog, Clock } from '../security/types.js';
import { BACKUP_KEY_ENV, checkBackupPassphrase, createBackup, createBackupScheduler, parseBackupInterval } from '../storage/backup/index.js';
import type { Db } from '../storage/database.js';
import type { RedoubtSettings } from './settings-file.js';

export interface ScheduledBackupsOptions {
  userDir: string;
  settings: RedoubtSettings;
  settingsFile: string;
  env: Readonly<Record<string, string | undefined>>;
  redoubtVersion: string;
}

export interface ScheduledBackupsDeps {
  db: Db;
  audit: Pick<AuditLog, 'record' | 'head'>;
  clock: Clock;
  log: (entry: LogEntry) => void;
}

/**
 * Starts the schedule (if any); returns what stops it.
 * @example
 * const backups = startScheduledBackups({ userDir, settings, settingsFile, env: process.env, redoubtVersion }, { db, audit, clock, log });
 * cleanups.push(() => backups.stop());
 */
export function startScheduledBackups(options: ScheduledBackupsOptions, deps: ScheduledBackupsDeps): { stop(): Promise<void>; runNow?: () => Promise<void> } {
  const { schedule, retain, dir: dirSetting } = options.settings.backups;
  if (schedule === 'off') return { stop: async () => undefined };
  const intervalMs = parseBackupInterval(schedule);
  const passphrase = options.env[BACKUP_KEY_ENV];
  if (passphrase === undefined || passphrase === '') {
    deps.log({ level: 'warn', msg: `scheduled backups (every ${schedule}) are not running: set ${BACKUP_KEY_ENV} to a passphrase of 12 or more characters, or set backups.schedule to 'off'` });
    deps.audit.record({ event: 'backup.schedule.inactive', details: { schedule, reason: `${BACKUP_KEY_ENV} not set` } });
    return { stop: async () => undefined };
  }
  checkBackupPassphrase(passphrase);
  const dir = resolve(options.userDir, dirSetting);
  const scheduler = createBackupScheduler(
    { intervalMs, retain, dir },
    {
      runBackup: async () =>
        (
          await createBackup(
            {
              userDir: options.userDir,
              flowFile: options.settings.flowFile,
              settingsFile: options.settingsFile,
              passphrase,
              dir,
              includeHistory: true,
              redoubtVersion: options.redoubtVersion,
              by: 'scheduler',
            },
            deps,
          )
        ).path,
      audit: deps.audit,
      log: (level, msg) => deps.log({ level, msg }),
    },
  );
  scheduler.start();
  deps.log({ level: 'info', msg: `scheduled backups every ${schedule} into ${join(dir, '')}, keeping ${retain}` });
  return { stop: () => scheduler.stop(), runNow: () => scheduler.runNow() };
}
