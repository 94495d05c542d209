/**
 * Scheduled backups run by the server process: one every `intervalMs`, then the oldest archives
 * beyond `retain` in the backup directory are removed. Each run, and each failure, is audited
 * (the backup itself records `backup.create`). Timers are deps so tests drive time.
 */
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../errors/index.js';
import type { AuditLog } from '../../security/types.js';
import { BACKUP_FILE_PREFIX, BACKUP_FILE_SUFFIX } from './create-backup.js';

export interface BackupSchedulerOptions {
  intervalMs: number;
  retain: number;
  dir: string;
}

export interface BackupSchedulerDeps {
  /** Writes one backup into `dir`; returns its path. */
  runBackup: () => Promise<string>;
  audit: Pick<AuditLog, 'record'>;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  setInterval?: (fn: () => void, ms: number) => { unref?: () => unknown };
  clearInterval?: (handle: unknown) => void;
}

export interface BackupScheduler {
  start(): void;
  /** One backup and the pruning after it, now; resolves when both are done. Never rejects. */
  runNow(): Promise<void>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** '30m', '24h', '7d' → ms; throws a ConfigError naming `backups.schedule` otherwise. */
export function parseBackupInterval(text: string): number {
  const match = /^(\d+)\s*(m|h|d)$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNITS[match[2]!]! : NaN;
  if (!Number.isFinite(ms) || ms < 5 * 60_000) {
    throw new ConfigError('backups.schedule', `'${text}' is not an interval of at least 5 minutes, such as '30m', '24h' or '7d' (or 'off')`);
  }
  return ms;
}

/** Removes the oldest Redoubt archives in `dir` beyond `retain`; returns the removed names. */
export async function pruneBackups(dir: string, retain: number): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.startsWith(BACKUP_FILE_PREFIX) && n.endsWith(BACKUP_FILE_SUFFIX)).sort();
  const doomed = names.slice(0, Math.max(0, names.length - retain));
  for (const name of doomed) await unlink(join(dir, name));
  return doomed;
}

/**
 * @example
 * const scheduler = createBackupScheduler({ intervalMs: parseBackupInterval('24h'), retain: 7, dir }, { runBackup, audit, log });
 * scheduler.start();
 */
export function createBackupScheduler(options: BackupSchedulerOptions, deps: BackupSchedulerDeps): BackupScheduler {
  if (!Number.isInteger(options.retain) || options.retain < 1) throw new ConfigError('backups.retain', 'must be a whole number of backups, at least 1');
  const every = deps.setInterval ?? ((fn: () => void, ms: number) => setInterval(fn, ms));
  const cancel = deps.clearInterval ?? ((handle: unknown) => clearInterval(handle as NodeJS.Timeout));
  let timer: { unref?: () => unknown } | undefined;
  let running: Promise<void> | undefined;

  const runOnce = async (): Promise<void> => {
    try {
      const path = await deps.runBackup();
      const removed = await pruneBackups(options.dir, options.retain);
      if (removed.length > 0) deps.audit.record({ event: 'backup.prune', username: 'scheduler', details: { removed, retain: options.retain } });
      deps.log('info', `scheduled backup written to ${path}`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      deps.audit.record({ event: 'backup.failed', username: 'scheduler', details: { error: message } });
      deps.log('error', `scheduled backup failed: ${message}`);
    }
  };

  const runNow = (): Promise<void> => {
    // A run still going when the next is due is not doubled up.
    running ??= runOnce().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    start() {
      if (timer) return;
      timer = every(() => void runNow(), options.intervalMs);
      // The schedule alone does not keep the process alive.
      timer.unref?.();
    },
    runNow,
    async stop() {
      if (timer) cancel(timer);
      timer = undefined;
      await running;
    },
  };
}
