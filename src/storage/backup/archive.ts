/**
 * The backup archive format: one JSON envelope `{ format, v, kdf, iv, tag, data }` around the
 * gzip of a JSON container `{ format, v, createdAt, redoubtVersion, manifest, entries }`, encrypted
 * with AES-256-GCM under a key stretched by scrypt from the backup passphrase.
 *
 * Why JSON with base64 entries and not tar: the contents are a few small files (flows, the
 * encrypted credentials, settings, a users table) that are read whole anyway, no tar library is
 * installed, and a JSON container describes itself (names, sizes and hashes in a manifest) with
 * one parse. base64 costs a third more before gzip and little after it.
 *
 * The envelope's header is authenticated with the data, so neither the KDF parameters nor the
 * format version can be swapped unseen, and a wrong passphrase is told apart from a damaged file
 * only as far as that is honest: GCM cannot say which, so both are `backup_unreadable`.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConfigError, RedoubtError } from '../../errors/index.js';

export const BACKUP_FORMAT = 'redoubt-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const BACKUP_KEY_ENV = 'REDOUBT_BACKUP_KEY';
const MIN_PASSPHRASE = 12;
/** A restore refuses archives that would inflate past this: a backup of this size is not a Redoubt one. */
const MAX_CONTENT_BYTES = 512 * 1024 * 1024;

export interface ArchiveContents {
  createdAt: number;
  redoubtVersion: string;
  /** Entry name → bytes. */
  entries: Record<string, Buffer>;
}

export interface ManifestEntry {
  name: string;
  size: number;
  sha256: string;
}

interface Kdf {
  name: 'scrypt';
  salt: string;
  N: number;
  r: number;
  p: number;
}

interface Envelope {
  format: typeof BACKUP_FORMAT;
  v: number;
  kdf: Kdf;
  iv: string;
  tag: string;
  data: string;
}

/** Refuses a passphrase too short to resist guessing of a stolen archive. */
export function checkBackupPassphrase(passphrase: string, setting = BACKUP_KEY_ENV): void {
  if (typeof passphrase !== 'string' || passphrase.length < MIN_PASSPHRASE) {
    throw new ConfigError(setting, `the backup passphrase must be at least ${MIN_PASSPHRASE} characters`);
  }
}

function deriveKey(passphrase: string, kdf: Kdf): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(passphrase, Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

function headerAad(envelope: Pick<Envelope, 'format' | 'v' | 'kdf' | 'iv'>): Buffer {
  return Buffer.from(JSON.stringify({ format: envelope.format, v: envelope.v, kdf: envelope.kdf, iv: envelope.iv }), 'utf8');
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Packs, compresses and encrypts; returns the archive file's bytes.
 * @example
 * const bytes = await sealArchive({ createdAt: Date.now(), redoubtVersion: '0.1.0', entries: { 'flows.json': buf } }, passphrase);
 */
export async function sealArchive(contents: ArchiveContents, passphrase: string, options: { scryptCost?: number } = {}): Promise<Buffer> {
  checkBackupPassphrase(passphrase);
  const names = Object.keys(contents.entries).sort();
  const container = {
    format: BACKUP_FORMAT,
    v: BACKUP_FORMAT_VERSION,
    createdAt: contents.createdAt,
    redoubtVersion: contents.redoubtVersion,
    manifest: names.map((name): ManifestEntry => ({ name, size: contents.entries[name]!.length, sha256: sha256(contents.entries[name]!) })),
    entries: Object.fromEntries(names.map((name) => [name, contents.entries[name]!.toString('base64')])),
  };
  const plain = gzipSync(Buffer.from(JSON.stringify(container), 'utf8'));
  const kdf: Kdf = { name: 'scrypt', salt: randomBytes(16).toString('base64'), N: options.scryptCost ?? 2 ** 15, r: 8, p: 1 };
  const iv = randomBytes(12).toString('base64');
  const head = { format: BACKUP_FORMAT, v: BACKUP_FORMAT_VERSION, kdf, iv } as const;
  const cipher = createCipheriv('aes-256-gcm', await deriveKey(passphrase, kdf), Buffer.from(iv, 'base64'));
  cipher.setAAD(headerAad(head));
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  const envelope: Envelope = { ...head, tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

/**
 * Authenticates, decrypts, inflates and checks the manifest; throws before returning anything
 * when any step fails, so a caller never acts on part of an archive.
 */
export async function openArchive(bytes: Buffer, passphrase: string): Promise<ArchiveContents & { manifest: ManifestEntry[] }> {
  const envelope = parseEnvelope(bytes);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', await deriveKey(passphrase, envelope.kdf), Buffer.from(envelope.iv, 'base64'));
    decipher.setAAD(headerAad(envelope));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(envelope.data, 'base64')), decipher.final()]);
  } catch (err) {
    throw new RedoubtError('backup_unreadable', 'the backup does not open: wrong passphrase, or the file was altered or damaged', { cause: err });
  }
  let container: Record<string, unknown>;
  try {
    container = JSON.parse(gunzipSync(plain, { maxOutputLength: MAX_CONTENT_BYTES }).toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new RedoubtError('backup_invalid', 'the backup opened but its contents are not a Redoubt archive', { cause: err });
  }
  if (container.format !== BACKUP_FORMAT || container.v !== BACKUP_FORMAT_VERSION) {
    throw new RedoubtError('backup_unsupported', `the archive's contents have format version ${String(container.v)}; this Redoubt reads version ${BACKUP_FORMAT_VERSION}`);
  }
  const manifest = container.manifest as ManifestEntry[];
  const raw = container.entries as Record<string, unknown>;
  if (!Array.isArray(manifest) || raw === null || typeof raw !== 'object') throw new RedoubtError('backup_invalid', 'the archive has no manifest or no entries');
  const entries: Record<string, Buffer> = {};
  for (const item of manifest) {
    const text = raw[item?.name];
    if (typeof text !== 'string') throw new RedoubtError('backup_invalid', `the archive lists '${String(item?.name)}' but does not hold it`);
    const data = Buffer.from(text, 'base64');
    if (data.length !== item.size || sha256(data) !== item.sha256) throw new RedoubtError('backup_invalid', `the archive's entry '${item.name}' does not match its manifest`);
    entries[item.name] = data;
  }
  if (Object.keys(raw).length !== manifest.length) throw new RedoubtError('backup_invalid', 'the archive holds entries its manifest does not list');
  return {
    createdAt: Number(container.createdAt),
    redoubtVersion: String(container.redoubtVersion),
    manifest,
    entries,
  };
}

function parseEnvelope(bytes: Buffer): Envelope {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new RedoubtError('backup_invalid', 'the file is not a Redoubt backup (not an archive envelope)', { cause: err });
  }
  const e = raw as Record<string, unknown> | null;
  if (e === null || typeof e !== 'object' || e.format !== BACKUP_FORMAT) throw new RedoubtError('backup_invalid', 'the file is not a Redoubt backup');
  if (e.v !== BACKUP_FORMAT_VERSION) {
    throw new RedoubtError('backup_unsupported', `the backup has format version ${String(e.v)}; this Redoubt reads version ${BACKUP_FORMAT_VERSION}`);
  }
  const kdf = e.kdf as Record<string, unknown> | null;
  const validKdf =
    kdf !== null &&
    typeof kdf === 'object' &&
    kdf.name === 'scrypt' &&
    typeof kdf.salt === 'string' &&
    typeof kdf.N === 'number' &&
    Number.isInteger(kdf.N) &&
    kdf.N >= 2 ** 10 &&
    kdf.N <= 2 ** 20 &&
    (kdf.N & (kdf.N - 1)) === 0 &&
    kdf.r === 8 &&
    kdf.p === 1;
  if (!validKdf) throw new RedoubtError('backup_invalid', "the backup's key parameters are not valid");
  for (const field of ['iv', 'tag', 'data'] as const) {
    if (typeof e[field] !== 'string') throw new RedoubtError('backup_invalid', `the backup's '${field}' field is missing`);
  }
  return e as unknown as Envelope;
}
