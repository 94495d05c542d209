#!/usr/bin/env node
/** The `redoubt` command. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RedoubtError } from '../errors/index.js';
import { startRedoubt } from './start.js';
import { runTlsCommand } from './tls-command.js';
import { isProfileName, PROFILE_NAMES, type ProfileName } from '../security/profiles/index.js';
import { runAuditLogCommand } from './audit-log-command.js';
import { runHistoryCommand } from './history-command.js';
import { runCredentialsCommand } from './credentials-command.js';
import { runImportCommand } from './import-command.js';
import { processIo } from './command-io.js';
import { processUserIo, runUserCommand } from './user-command.js';
import { runBackupCommand } from './backup-command.js';
import { applyV8Tuning } from './v8-tuning.js';

const USAGE = `usage: redoubt <command> [options]

commands:
  start     run the flows of a user directory
            --user-dir <dir>   default ~/.redoubt
            --config <file>    default <user-dir>/redoubt.yaml
            --port <n>         overrides redoubt.yaml's port (default 1880)
            --profile <name>   overrides redoubt.yaml's profile: local|closed-lan|private-network|public
  audit-log verify|list|head          check or read the hash-chained audit log
  history list|show|diff|rollback     the deployed flow versions
  credentials rotate                  re-encrypt flows.cred under a new key
  user add|passwd|remove|role|list    manage the users (redoubt user --help)
  user 2fa enrol|disable|status       a user's second factor
  backup [--out <file>]               write an encrypted backup (passphrase: REDOUBT_BACKUP_KEY)
  restore <file>                      check a backup, then restore it (Redoubt stopped)
  tls self-signed                     make a certificate for LAN use (redoubt tls --help)
  import --from-node-red <dir>        bring a Node-RED user dir's flows, credentials, users and settings over
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'audit-log') return runAuditLogCommand(rest, processIo());
  if (command === 'history') return runHistoryCommand(rest, processIo());
  if (command === 'credentials') return runCredentialsCommand(rest, processIo());
  if (command === 'user') return runUserCommand(rest, processUserIo());
  if (command === 'backup' || command === 'restore') return runBackupCommand(command, rest, processUserIo());
  if (command === 'import') return runImportCommand(rest, processIo());
  if (command === 'tls') return runTlsCommand(rest, processIo());
  if (command !== 'start') {
    process.stderr.write(`redoubt: unknown command '${command}'\n${USAGE}`);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { 'user-dir': { type: 'string' }, config: { type: 'string' }, port: { type: 'string' }, profile: { type: 'string' } },
    strict: true,
  });
  const userDir = values['user-dir'] ?? join(homedir(), '.redoubt');
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`redoubt: --port must be a whole number from 0 to 65535, got '${values.port}'\n`);
      return 2;
    }
  }
  if (values.profile !== undefined && !isProfileName(values.profile)) {
    process.stderr.write(`redoubt: --profile must be one of ${PROFILE_NAMES.join(', ')}, got '${values.profile}'\n`);
    return 2;
  }
  const profile = values.profile as ProfileName | undefined;
  applyV8Tuning();
  // Listen before starting: a signal during start-up still stops gracefully.
  const signalled = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const started = await startRedoubt({ userDir, configPath: values.config, port, profile });
  await signalled;
  await started.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const text = err instanceof RedoubtError ? `${err.message} (${err.code})` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`redoubt: ${text}\n`);
    process.exitCode = 1;
  },
);
