/**
 * `redoubt audit-log verify|list|head`: reads the audit log in `<userDir>/redoubt.db` directly,
 * so it works whether or not Redoubt is running (SQLite in WAL mode lets a reader beside the writer).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { createAuditLog } from '../security/audit-log.js';
import type { AuditRecord } from '../security/types.js';
import { createAuditStore } from '../storage/audit-store.js';
import { openDatabase } from '../storage/database.js';
import { defaultUserDir, type CommandIo } from './command-io.js';
import { parseCommandArgs } from './command-args.js';

export const AUDIT_LOG_USAGE = `usage: redoubt audit-log <verify|list|head> [options]
  verify   recompute the hash chain; prints OK and the count, or the first bad record (exit 1)
           --head <seq>:<hash>   also check the log still reaches a head exported earlier
  list     --limit <n> (default 50, newest last)  --event <name or prefix*>  --json
  head     print the last record's seq:hash (keep it with backups)
  common   --user-dir <dir>   default ~/.redoubt
`;

export async function runAuditLogCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    'user-dir': { type: 'string' },
    limit: { type: 'string' },
    event: { type: 'string' },
    head: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [sub] = positionals;
  if (sub !== 'verify' && sub !== 'list' && sub !== 'head') {
    io.err(sub === undefined ? AUDIT_LOG_USAGE : `redoubt audit-log: unknown subcommand '${sub}'\n${AUDIT_LOG_USAGE}`);
    return 2;
  }
  const userDir = resolve(values['user-dir'] ?? defaultUserDir(io.env));
  const dbPath = join(userDir, 'redoubt.db');
  if (!existsSync(dbPath)) {
    io.err(`redoubt audit-log: no audit log: ${dbPath} does not exist\n`);
    return 1;
  }
  const db = openDatabase(dbPath);
  try {
    const log = createAuditLog({ store: createAuditStore(db) }, { clock: { now: Date.now } });
    if (sub === 'head') {
      const head = log.head();
      io.out(`${head.seq}:${head.hash}\n`);
      return 0;
    }
    if (sub === 'verify') {
      const result = log.verify({ head: values.head === undefined ? undefined : parseHead(values.head) });
      if (result.ok) {
        io.out(`OK: ${result.count} record${result.count === 1 ? '' : 's'}, chain intact\n`);
        return 0;
      }
      io.out(`FAILED at record ${result.seq}: ${result.problem}\n`);
      return 1;
    }
    const limit = values.limit === undefined ? 50 : parseLimit(values.limit);
    const records = log.list({ order: 'desc', limit, event: values.event }).reverse();
    if (values.json) io.out(JSON.stringify(records, null, 2) + '\n');
    else for (const record of records) io.out(formatRecord(record) + '\n');
    return 0;
  } finally {
    db.close();
  }
}

export function formatRecord(record: AuditRecord): string {
  const who = record.username ?? '-';
  const from = record.address ? `@${record.address}` : '';
  const details = record.details ? ` ${JSON.stringify(record.details)}` : '';
  return `${String(record.seq).padStart(6)}  ${new Date(record.at).toISOString()}  ${record.event}  ${who}${from}${details}`;
}

function parseLimit(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError('--limit', 'must be a whole number, at least 1');
  return n;
}

function parseHead(text: string): { seq: number; hash: string } {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (!match) throw new ConfigError('--head', "must be '<seq>:<sha256 hex>' as printed by 'redoubt audit-log head'");
  return { seq: Number(match[1]), hash: match[2]! };
}
