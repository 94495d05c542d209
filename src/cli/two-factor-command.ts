/**
 * `redoubt user 2fa enrol|disable|status <name>`: a user's TOTP second factor, managed on
 * `<user-dir>/redoubt.db` directly (running or not, like `redoubt user`). `enrol` prints the
 * otpauth URI (paste it, or make a QR code of it, in the authenticator app) and the ten recovery
 * codes once, then asks for a code from the app before turning the factor on. `disable` is the
 * way back in for someone who lost the phone and the codes: it needs shell access to the host,
 * not a session.
 */
import { existsSync } from 'node:fs';
import { cliOperator } from '../security/cli-operator.js';
import { join, resolve } from 'node:path';
import { RedoubtError } from '../errors/index.js';
import { createAuditLog } from '../security/audit-log.js';
import { createKeyFileSource, createSecondFactor } from '../security/second-factor.js';
import { createAuditStore } from '../storage/audit-store.js';
import { openDatabase } from '../storage/database.js';
import { createSecondFactorStore } from '../storage/second-factor-store.js';
import { createUserStore } from '../storage/users-store.js';
import { defaultUserDir } from './command-io.js';
import type { UserCommandIo } from './user-command.js';
import { parseCommandArgsOrUsage } from './command-args.js';

export const SECOND_FACTOR_KEY_FILE = 'second-factor.key';

export const TWO_FACTOR_USAGE = `usage: redoubt user 2fa <command> <name> [options]
  enrol <name>     new authenticator secret and recovery codes; asks for a code to confirm
  disable <name>   remove the user's second factor (for a lost phone)
  status <name>    whether the user has one, and how many recovery codes are left
options:
  --user-dir <dir>   default ~/.redoubt
  --json             status as JSON
`;


/**
 * Runs `redoubt user 2fa ...`; returns the exit code (0 done, 1 refused or failed, 2 usage).
 * @example
 * await runTwoFactorCommand(['status', 'ann', '--user-dir', dir], processUserIo());
 */
export async function runTwoFactorCommand(args: string[], io: UserCommandIo): Promise<number> {
  const parsed = parseCommandArgsOrUsage(
    args,
    { 'user-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    io,
    { command: 'user 2fa', usage: TWO_FACTOR_USAGE },
  );
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(TWO_FACTOR_USAGE);
    return 0;
  }
  const [sub, name] = positionals;
  if (sub === undefined || !['enrol', 'disable', 'status'].includes(sub) || name === undefined || positionals.length !== 2) {
    io.err(TWO_FACTOR_USAGE);
    return 2;
  }
  const userDir = resolve(values['user-dir'] ?? defaultUserDir(io.env));
  const dbPath = join(userDir, 'redoubt.db');
  if (!existsSync(dbPath)) {
    io.err(`redoubt user 2fa: no users yet: ${dbPath} does not exist\n`);
    return 1;
  }
  const db = openDatabase(dbPath);
  try {
    const clock = { now: Date.now };
    const users = createUserStore(db);
    const user = users.get(name);
    if (!user) {
      io.err(`redoubt user 2fa: no user '${name}'\n`);
      return 1;
    }
    const audit = createAuditLog({ store: createAuditStore(db) }, { clock });
    const service = createSecondFactor({}, { store: createSecondFactorStore(db), users, audit, clock, key: createKeyFileSource(join(userDir, SECOND_FACTOR_KEY_FILE)) });
    const by = cliOperator();
    if (sub === 'status') {
      const status = service.status(user.username);
      if (values.json) io.out(JSON.stringify({ username: user.username, ...status }, null, 2) + '\n');
      else if (status.enrolled) io.out(`${user.username}: second factor on, ${status.recoveryCodesLeft} recovery code(s) left\n`);
      else io.out(`${user.username}: no second factor${status.pending ? ' (an enrolment is waiting for its code)' : ''}\n`);
      return 0;
    }
    if (sub === 'disable') {
      const removed = service.disable({ username: user.username, by });
      io.out(removed ? `second factor removed for ${user.username}\n` : `${user.username} had no second factor\n`);
      return 0;
    }
    const enrolment = await service.beginEnrolment({ username: user.username, by });
    io.out(
      `Add this account to an authenticator app (paste the URI, or the secret by hand):\n  ${enrolment.uri}\n  secret: ${enrolment.secret}\n\n` +
        `Recovery codes: each works once, in place of a code from the app. Keep them offline; they are not shown again.\n` +
        enrolment.recoveryCodes.map((c) => `  ${c}\n`).join('') +
        '\n',
    );
    const typed = io.promptHidden ? await io.promptHidden('Code shown by the app: ') : await io.readStdin();
    try {
      await service.confirmEnrolment({ username: user.username, code: typed.trim(), by });
    } catch (error) {
      if (error instanceof RedoubtError && error.code === 'invalid_code') {
        io.err(`redoubt user 2fa: ${error.message}; the second factor is NOT on (run 'redoubt user 2fa enrol ${user.username}' again)\n`);
        return 1;
      }
      throw error;
    }
    io.out(`second factor on for ${user.username}\n`);
    return 0;
  } catch (error) {
    if (error instanceof RedoubtError) {
      io.err(`redoubt user 2fa: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    db.close();
  }
}
