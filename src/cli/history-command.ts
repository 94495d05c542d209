/**
 * `redoubt history list|show|diff|rollback` on a user directory. Rollback rewrites flows.json
 * and so only runs while Redoubt is stopped (it holds the run lock while it writes); a running
 * Redoubt rolls back through the admin API instead.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, NotFoundError } from '../errors/index.js';
import { createAuditLog } from '../security/audit-log.js';
import { createAuditStore } from '../storage/audit-store.js';
import { openDatabase } from '../storage/database.js';
import { readFlowsFile, writeFlowsFile } from '../storage/flows-file.js';
import { createFlowHistory, summariseDeploy } from '../storage/history-store.js';
import { acquireRunLock, readRunLock } from '../storage/run-lock.js';
import { defaultUserDir, type CommandIo } from './command-io.js';
import { loadSettingsFile } from './settings-file.js';
import { parseCommandArgs } from './command-args.js';

export const HISTORY_USAGE = `usage: redoubt history <list|show|diff|rollback> [options]
  list                 the stored versions, newest first (--limit <n>)
  show <v>             the flows of version v, as JSON
  diff <a> <b>         node ids added, removed and changed from version a to version b
  rollback <v>         write version v to the flows file (only while Redoubt is stopped)
  common   --user-dir <dir>   default ~/.redoubt;  --config <file>   default <user-dir>/redoubt.yaml
`;

export async function runHistoryCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { 'user-dir': { type: 'string' }, config: { type: 'string' }, limit: { type: 'string' } });
  const [sub, ...operands] = positionals;
  const expected: Record<string, number> = { list: 0, show: 1, diff: 2, rollback: 1 };
  if (sub === undefined || !(sub in expected)) {
    io.err(sub === undefined ? HISTORY_USAGE : `redoubt history: unknown subcommand '${sub}'\n${HISTORY_USAGE}`);
    return 2;
  }
  if (operands.length !== expected[sub]) {
    io.err(`redoubt history ${sub}: expects ${expected[sub]} version number${expected[sub] === 1 ? '' : 's'}\n${HISTORY_USAGE}`);
    return 2;
  }
  const versions = operands.map(parseVersion);
  const userDir = resolve(values['user-dir'] ?? defaultUserDir(io.env));
  const dbPath = join(userDir, 'redoubt.db');
  if (!existsSync(dbPath)) {
    io.err(`redoubt history: no flow history: ${dbPath} does not exist\n`);
    return 1;
  }
  const db = openDatabase(dbPath);
  try {
    const clock = { now: Date.now };
    const history = createFlowHistory({ db }, { clock });
    switch (sub) {
      case 'list': {
        const limit = values.limit === undefined ? undefined : parseVersion(values.limit);
        for (const v of history.list(limit)) {
          io.out(`${String(v.version).padStart(5)}  ${new Date(v.at).toISOString()}  ${v.username ?? '-'}  ${v.summary}  (rev ${v.rev})\n`);
        }
        return 0;
      }
      case 'show': {
        const found = history.get(versions[0]!);
        if (!found) throw new NotFoundError('flow version', String(versions[0]));
        io.out(JSON.stringify(found.flows, null, 4) + '\n');
        return 0;
      }
      case 'diff': {
        const d = history.diff(versions[0]!, versions[1]!);
        for (const id of d.added) io.out(`+ ${id}\n`);
        for (const id of d.removed) io.out(`- ${id}\n`);
        for (const id of d.changed) io.out(`~ ${id}\n`);
        io.out(`${d.added.length} added, ${d.changed.length} changed, ${d.removed.length} removed\n`);
        return 0;
      }
      default: {
        const running = await readRunLock(userDir);
        if (running) {
          io.err(`redoubt history rollback: Redoubt is running on ${userDir} (pid ${running.pid}): stop it first, or roll back through the admin API of the running server\n`);
          return 1;
        }
        const found = history.get(versions[0]!);
        if (!found) throw new NotFoundError('flow version', String(versions[0]));
        const settings = await loadSettingsFile(values.config ?? join(userDir, 'redoubt.yaml'));
        const flowPath = join(userDir, settings.flowFile);
        // Held while writing so a `redoubt start` cannot begin reading a half-done rollback.
        const lock = await acquireRunLock(userDir);
        try {
          const current = await readFlowsFile(flowPath);
          await writeFlowsFile(flowPath, found.flows);
          const username = `${cliUser()} (cli)`;
          const summary = `rollback to version ${found.version.version}: ${summariseDeploy(current, found.flows, 'full')}`;
          const added = history.add(found.flows, { username, summary, rev: found.version.rev });
          createAuditLog({ store: createAuditStore(db) }, { clock }).record({
            event: 'flows.rollback',
            username,
            details: { version: found.version.version, newVersion: added.version, via: 'cli' },
          });
          io.out(`rolled back ${flowPath} to version ${found.version.version} (stored as version ${added.version})\n`);
        } finally {
          await lock.release();
        }
        return 0;
      }
    }
  } finally {
    db.close();
  }
}

function parseVersion(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError('version', `'${text}' is not a version number (a whole number, at least 1)`);
  return n;
}

function cliUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the uid still says who.
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}
