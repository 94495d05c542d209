/**
 * `redoubt import --from-node-red <dir>`: brings a Node-RED user dir's flows, credentials, users and
 * settings into a Redoubt user dir; prints a summary and writes the full report beside the files.
 */
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { formatImportReport, formatImportSummary, importNodeRed, IMPORT_REPORT_FILE } from '../migrate/index.js';
import { writeFileAtomic } from '../storage/atomic-write.js';
import { defaultUserDir, type CommandIo } from './command-io.js';
import { parseCommandArgs } from './command-args.js';

export const IMPORT_USAGE = `usage: redoubt import --from-node-red <dir> [options]
  --user-dir <dir>                 the Redoubt user dir to fill; default ~/.redoubt
  --force                          replace the flows of a user dir that has some (backed up first)
  --dry-run                        read and report; write nothing
  --report                         print every item of the report, not only the summary
  --credential-secret-env <VAR>    take the Node-RED credentialSecret from this environment variable
  The Node-RED dir is only read. settings.js is evaluated in a separate, sandboxed node process.
`;

export async function runImportCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    'from-node-red': { type: 'string' },
    'user-dir': { type: 'string' },
    force: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    report: { type: 'boolean' },
    'credential-secret-env': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(IMPORT_USAGE);
    return 0;
  }
  if (values['from-node-red'] === undefined || positionals.length > 0) {
    io.err(IMPORT_USAGE);
    return 2;
  }
  let credentialSecret: string | undefined;
  const secretVar = values['credential-secret-env'];
  if (secretVar !== undefined) {
    credentialSecret = io.env[secretVar];
    if (!credentialSecret) throw new ConfigError('--credential-secret-env', `names ${secretVar}, which is not set`);
  }
  const userDir = resolve(values['user-dir'] ?? defaultUserDir(io.env));
  const report = await importNodeRed({
    from: values['from-node-red'],
    userDir,
    force: values.force === true,
    dryRun: values['dry-run'] === true,
    env: io.env,
    credentialSecret,
  });
  const full = formatImportReport(report);
  if (values['dry-run']) {
    io.out(`dry run: nothing was written\n`);
  } else {
    await writeFileAtomic(join(userDir, IMPORT_REPORT_FILE), full, { mode: 0o600 });
  }
  io.out(formatImportSummary(report));
  if (values.report) io.out('\n' + full);
  else if (!values['dry-run']) io.out(`\nthe full report: ${join(userDir, IMPORT_REPORT_FILE)} (or --report)\n`);
  return 0;
}
