export { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, BACKUP_KEY_ENV, checkBackupPassphrase, openArchive, sealArchive } from './archive.js';
export type { ArchiveContents, ManifestEntry } from './archive.js';
export { BACKUP_EXCLUDED, backupFileName, createBackup } from './create-backup.js';
export type { BackupMeta, BackupResult, CreateBackupDeps, CreateBackupOptions } from './create-backup.js';
export { restoreBackup } from './restore-backup.js';
export type { RestoreDeps, RestoreOptions, RestoreResult } from './restore-backup.js';
export { createBackupScheduler, parseBackupInterval, pruneBackups } from './backup-scheduler.js';
export type { BackupScheduler, BackupSchedulerDeps, BackupSchedulerOptions } from './backup-scheduler.js';
