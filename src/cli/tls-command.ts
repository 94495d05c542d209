/**
 * `redoubt tls self-signed`: makes `<user-dir>/tls/cert.pem` and `key.pem` for LAN use, naming this
 * machine's host names and addresses (or the ones given), and prints the fingerprint to compare
 * on a client's first visit and the `https` lines for redoubt.yaml.
 */
import { hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { createSelfSignedCertificate, machineSubjectNames, type SelfSignedDeps } from '../security/tls/index.js';
import { defaultUserDir, type CommandIo } from './command-io.js';
import { parseCommandArgs } from './command-args.js';

export const TLS_USAGE = `usage: redoubt tls self-signed [options]
  --user-dir <dir>    default ~/.redoubt; writes <user-dir>/tls/cert.pem and key.pem (0600)
  --name <host>       a host name for the certificate (repeatable); default this machine's names
  --ip <address>      an address for the certificate (repeatable); default this machine's addresses
  --days <n>          validity, default 825
  --force             replace an existing certificate and key
`;

/** Machine facts the command reads; tests pass their own. */
export interface TlsCommandDeps extends SelfSignedDeps {
  hostname?: () => string;
  interfaces?: typeof networkInterfaces;
}

export async function runTlsCommand(args: string[], io: CommandIo, deps: TlsCommandDeps = {}): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    'user-dir': { type: 'string' },
    name: { type: 'string', multiple: true },
    ip: { type: 'string', multiple: true },
    days: { type: 'string' },
    force: { type: 'boolean' },
  });
  if (positionals.length !== 1 || positionals[0] !== 'self-signed') {
    io.err(positionals[0] === undefined ? TLS_USAGE : `redoubt tls: unknown subcommand '${positionals.join(' ')}'\n${TLS_USAGE}`);
    return 2;
  }
  const userDir = resolve(values['user-dir'] ?? defaultUserDir(io.env));
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && !Number.isInteger(days)) throw new ConfigError('--days', `must be a whole number of days, got '${values.days}'`);
  const machine = machineSubjectNames({ hostname: (deps.hostname ?? hostname)(), interfaces: (deps.interfaces ?? networkInterfaces)() });
  const given = values.name !== undefined || values.ip !== undefined;
  const names = given ? { dns: values.name ?? [], ip: values.ip ?? [] } : machine;
  const made = await createSelfSignedCertificate({ dir: join(userDir, 'tls'), names, days, force: values.force === true }, deps);
  io.out(
    `Wrote ${made.certFile} and ${made.keyFile} (valid until ${made.validTo}).\n` +
      `Names: ${made.subjectAltName}\n` +
      `SHA-256 fingerprint (compare it in the browser on the first visit):\n  ${made.fingerprint256}\n` +
      `To serve HTTPS with it, add to ${join(userDir, 'redoubt.yaml')}:\n  https:\n    cert: tls/cert.pem\n    key: tls/key.pem\n`,
  );
  return 0;
}
