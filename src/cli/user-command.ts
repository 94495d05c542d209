/**
 * `redoubt user add|passwd|remove|list|role`: manages the users in `<user-dir>/redoubt.db`
 * directly, so it works whether or not Redoubt is running (SQLite in WAL mode), and goes through
 * the same auth service as the server: the same policy, sessions revoked, every change audited.
 * Passwords come from a hidden prompt or from stdin (`--password-stdin`), never from argv, which
 * shell history and the process list would keep.
 */
import { existsSync } from 'node:fs';
import { cliOperator } from '../security/cli-operator.js';
import { join, resolve } from 'node:path';
import { RedoubtError, ValidationError } from '../errors/index.js';
import { createAuditLog } from '../security/audit-log.js';
import { createAuthService } from '../security/auth-service.js';
import { createLoginLimiter } from '../security/login-limiter.js';
import { createPasswordPolicy } from '../security/password-policy.js';
import { createPasswordHasher } from '../security/passwords.js';
import { isRole } from '../security/permissions.js';
import { createSessionManager } from '../security/sessions.js';
import { ROLES, type Role } from '../security/types.js';
import { createAuditStore } from '../storage/audit-store.js';
import { openDatabase } from '../storage/database.js';
import { createSessionStore } from '../storage/sessions-store.js';
import { createUserStore } from '../storage/users-store.js';
import { defaultUserDir, processIo, type CommandIo } from './command-io.js';
import { runTwoFactorCommand } from './two-factor-command.js';
import { parseCommandArgsOrUsage } from './command-args.js';

export const USER_USAGE = `usage: redoubt user <command> [options]
  add <name> --role <role>   create a user (roles: ${ROLES.join(', ')})
  passwd <name>              set a new password; the user's sessions end
  remove <name>              delete a user; their sessions end
  role <name> <role>         change a user's role; their sessions end
  list [--json]              the users and their roles
  2fa enrol|disable|status <name>   a user's second factor (redoubt user 2fa --help)
options:
  --user-dir <dir>           default ~/.redoubt
  --password-stdin           read the password from stdin instead of a hidden prompt
`;

/** Terminal access beyond `CommandIo`: where a password comes from. */
export interface UserCommandIo extends CommandIo {
  /** Everything on stdin, as text. */
  readStdin(): Promise<string>;
  /** Asks on the terminal without echoing; undefined when there is no terminal. */
  promptHidden?: (question: string) => Promise<string>;
}

/** The process's own streams; a hidden prompt only when stdin is a terminal. */
export function processUserIo(): UserCommandIo {
  const io: UserCommandIo = { ...processIo(), readStdin: readAllStdin };
  if (process.stdin.isTTY) io.promptHidden = promptHiddenOnTty;
  return io;
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from the terminal in raw mode, echoing nothing. */
function promptHiddenOnTty(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolvePrompt, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolvePrompt(typed);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new RedoubtError('cancelled', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = Array.from(typed).slice(0, -1).join('');
        else typed += ch;
      }
    };
    // Echo off before the prompt shows, so nothing typed after it can be echoed.
    stdin.setRawMode(true);
    process.stderr.write(question);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** Who made the change, for the audit log. */

/** One trailing newline is the shell's, not the password's. */
function stripNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function readPassword(io: UserCommandIo, fromStdin: boolean, confirm: boolean): Promise<string> {
  if (fromStdin) return stripNewline(await io.readStdin());
  if (!io.promptHidden) {
    throw new RedoubtError('no_terminal', 'no terminal to ask for the password on; pipe it in with --password-stdin');
  }
  const first = await io.promptHidden('Password: ');
  if (confirm) {
    const second = await io.promptHidden('Repeat the password: ');
    if (first !== second) throw new RedoubtError('password_mismatch', 'the two passwords differ; nothing was changed');
  }
  return first;
}

function fail(io: CommandIo, error: unknown): number {
  if (error instanceof ValidationError && error.issues.length > 0) {
    io.err(`redoubt user: refused:\n${error.issues.map((i) => `  - ${i.property ? `${i.property} ` : ''}${i.message}`).join('\n')}\n`);
    return 1;
  }
  if (error instanceof RedoubtError) {
    io.err(`redoubt user: ${error.message}\n`);
    return 1;
  }
  throw error;
}

/**
 * Runs `redoubt user ...`; returns the exit code (0 done, 1 refused or failed, 2 usage).
 * @example
 * await runUserCommand(['add', 'ann', '--role', 'admin', '--password-stdin'], processUserIo());
 */
export async function runUserCommand(args: string[], io: UserCommandIo): Promise<number> {
  if (args[0] === '2fa') return runTwoFactorCommand(args.slice(1), io);
  if (args.some((a) => a === '--password' || a.startsWith('--password=') || a === '-p')) {
    io.err('redoubt user: passwords are never read from the command line (shell history, process list); use the prompt or --password-stdin\n');
    return 2;
  }
  const parsed = parseCommandArgsOrUsage(
    args,
    {
      'user-dir': { type: 'string' },
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    io,
    { command: 'user', usage: USER_USAGE },
  );
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  const [sub, name, extra] = positionals;
  if (values.help) {
    io.out(USER_USAGE);
    return 0;
  }
  const arity: Record<string, number> = { add: 2, passwd: 2, remove: 2, role: 3, list: 1 };
  const expected = sub === undefined ? undefined : arity[sub];
  if (expected === undefined) {
    io.err(sub === undefined ? USER_USAGE : `redoubt user: unknown command '${sub}'\n${USER_USAGE}`);
    return 2;
  }
  if (positionals.length !== expected) {
    io.err(`redoubt user ${sub}: expected ${expected - 1} argument${expected === 2 ? '' : 's'}, got ${positionals.length - 1}\n${USER_USAGE}`);
    return 2;
  }
  let role: Role | undefined;
  if (sub === 'add' || sub === 'role') {
    const given = sub === 'add' ? values.role : extra;
    if (given === undefined) {
      io.err(`redoubt user add: --role is required (${ROLES.join(', ')})\n`);
      return 2;
    }
    if (!isRole(given)) {
      io.err(`redoubt user ${sub}: unknown role '${given}'; roles are ${ROLES.join(', ')}\n`);
      return 2;
    }
    role = given;
  }

  const userDir = resolve(values['user-dir'] ?? defaultUserDir(io.env));
  const dbPath = join(userDir, 'redoubt.db');
  if (sub !== 'add' && !existsSync(dbPath)) {
    io.err(`redoubt user: no users yet: ${dbPath} does not exist (create one with 'redoubt user add')\n`);
    return 1;
  }
  const db = openDatabase(dbPath);
  try {
    const clock = { now: Date.now };
    const users = createUserStore(db);
    const auth = createAuthService({
      users,
      sessions: createSessionManager({}, { store: createSessionStore(db), clock }),
      hasher: createPasswordHasher(),
      policy: createPasswordPolicy(),
      // Required by the service's shape; the CLI never logs anyone in.
      limiter: createLoginLimiter({}, { clock }),
      audit: createAuditLog({ store: createAuditStore(db) }, { clock }),
      clock,
    });
    const by = cliOperator();
    const fromStdin = values['password-stdin'] === true;
    const username = name as string;
    switch (sub) {
      case 'list': {
        const list = auth.listUsers();
        if (values.json) io.out(JSON.stringify(list, null, 2) + '\n');
        else if (list.length === 0) io.out('no users\n');
        else {
          const width = Math.max(8, ...list.map((u) => u.username.length));
          io.out(`${'USER'.padEnd(width)}  ROLE      PASSWORD CHANGED\n`);
          for (const u of list) {
            io.out(`${u.username.padEnd(width)}  ${u.role.padEnd(8)}  ${new Date(u.passwordChangedAt).toISOString()}${u.disabled ? '  (disabled)' : ''}\n`);
          }
        }
        return 0;
      }
      case 'add': {
        if (users.get(username)) {
          io.err(`redoubt user: user '${username}' already exists\n`);
          return 1;
        }
        const password = await readPassword(io, fromStdin, true);
        await auth.createUser({ username, password, role: role as Role, by });
        io.out(`added ${username} (${role})\n`);
        return 0;
      }
      case 'passwd': {
        if (!users.get(username)) {
          io.err(`redoubt user: no user '${username}'\n`);
          return 1;
        }
        const password = await readPassword(io, fromStdin, true);
        await auth.changePassword({ username, newPassword: password, by });
        io.out(`password changed for ${username}; their sessions have ended\n`);
        return 0;
      }
      case 'remove':
        auth.removeUser({ username, by });
        io.out(`removed ${username}\n`);
        return 0;
      case 'role':
        auth.setRole({ username, role: role as Role, by });
        io.out(`${username} is now ${role}\n`);
        return 0;
      default:
        return 2;
    }
  } catch (error) {
    return fail(io, error);
  } finally {
    db.close();
  }
}
