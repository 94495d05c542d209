/**
 * A self-signed certificate for LAN use, made with the `openssl` command: an EC P-256 key and a
 * certificate whose subject alternative names are the machine's host names and addresses, so a
 * browser or client that pins it can reach Redoubt by any of them. Key written 0600, both files
 * replaced atomically, an existing pair kept unless `force`.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, RedoubtError } from '../../errors/index.js';
import { classifyAddress, parseIp } from '../ip-address.js';
import type { InterfaceList } from '../profiles/check-profile.js';

export interface SubjectNames {
  dns: string[];
  ip: string[];
}

/**
 * The names a LAN client may use for this machine: its host name (and `<name>.local` for mDNS),
 * `localhost`, and every interface address except IPv6 link-local ones (a SAN cannot hold the zone
 * those need).
 *
 * @example machineSubjectNames({ hostname: os.hostname(), interfaces: os.networkInterfaces() })
 */
export function machineSubjectNames(machine: { hostname: string; interfaces: InterfaceList }): SubjectNames {
  const dns = new Set<string>(['localhost']);
  const host = machine.hostname.trim().toLowerCase();
  if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
    dns.add(host);
    if (!host.includes('.')) dns.add(`${host}.local`);
  }
  const ip = new Set<string>(['127.0.0.1', '::1']);
  for (const entry of Object.values(machine.interfaces).flatMap((list) => list ?? [])) {
    const address = entry.address.replace(/%.*$/, '');
    if (address.toLowerCase().startsWith('fe80:')) continue;
    if (classifyAddress(address) !== undefined) ip.add(address);
  }
  return { dns: [...dns], ip: [...ip] };
}

export interface SelfSignedOptions {
  /** Folder for `cert.pem` and `key.pem`, e.g. `<userDir>/tls`. */
  dir: string;
  names: SubjectNames;
  /** Validity; default 825 days. */
  days?: number;
  /** Replace an existing pair; otherwise an existing one is an error. */
  force?: boolean;
}

export interface SelfSignedResult {
  certFile: string;
  keyFile: string;
  /** SHA-256 fingerprint, to compare on the client's first connection. */
  fingerprint256: string;
  validTo: string;
  subjectAltName: string;
}

export interface SelfSignedDeps {
  /** Runs openssl; default `execFile('openssl', args)`. */
  runOpenssl?: (args: string[]) => Promise<void>;
}

function defaultOpenssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { timeout: 60_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new RedoubtError('openssl_missing', 'the openssl command was not found; install OpenSSL, or set https.cert and https.key to a certificate made elsewhere', { cause: err }));
        return;
      }
      reject(new RedoubtError('openssl_failed', `openssl failed: ${String(stderr).trim().split('\n').slice(-1)[0] ?? err.message}`, { cause: err }));
    });
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
}

/**
 * @example
 * const made = await createSelfSignedCertificate({ dir: join(userDir, 'tls'), names: machineSubjectNames({ hostname, interfaces }) });
 */
export async function createSelfSignedCertificate(options: SelfSignedOptions, deps: SelfSignedDeps = {}): Promise<SelfSignedResult> {
  const days = options.days ?? 825;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new ConfigError('days', 'must be a whole number of days from 1 to 3650');
  const bad = [...options.names.dns.filter((n) => !/^[A-Za-z0-9.*-]+$/.test(n)), ...options.names.ip.filter((a) => !parseIp(a))];
  if (bad.length > 0) throw new ConfigError('names', `not a host name or IP address: ${bad.join(', ')}`);
  if (options.names.dns.length + options.names.ip.length === 0) throw new ConfigError('names', 'at least one host name or address is needed');
  const certFile = join(options.dir, 'cert.pem');
  const keyFile = join(options.dir, 'key.pem');
  if (!options.force && ((await exists(certFile)) || (await exists(keyFile)))) {
    throw new RedoubtError('already_exists', `${certFile} or ${keyFile} exists already; pass --force to replace them`);
  }
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const work = await mkdtemp(join(options.dir, '.self-signed-'));
  try {
    const san = [...options.names.dns.map((n) => `DNS:${n}`), ...options.names.ip.map((a) => `IP:${a}`)].join(',');
    const commonName = options.names.dns.find((n) => n !== 'localhost') ?? options.names.dns[0] ?? options.names.ip[0]!;
    const run = deps.runOpenssl ?? defaultOpenssl;
    await run([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-sha256',
      '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem'), '-days', String(days),
      '-subj', `/CN=${commonName}/O=Redoubt self-signed`,
      '-addext', `subjectAltName=${san}`,
      '-addext', 'keyUsage=critical,digitalSignature',
      '-addext', 'extendedKeyUsage=serverAuth',
    ]);
    await chmod(join(work, 'key.pem'), 0o600);
    const x509 = new X509Certificate(await readFile(join(work, 'cert.pem')));
    await rename(join(work, 'key.pem'), keyFile);
    await rename(join(work, 'cert.pem'), certFile);
    return { certFile, keyFile, fingerprint256: x509.fingerprint256, validTo: x509.validTo, subjectAltName: x509.subjectAltName ?? '' };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
