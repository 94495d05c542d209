/**
 * `flows.cred`: node credentials encrypted with AES-256-GCM, so a changed byte is detected,
 * not decrypted into garbage. The key comes from a passphrase in `REDOUBT_CREDENTIAL_KEY`
 * (stretched with scrypt and a random salt stored in the file) or from a random 256-bit key
 * in `<userDir>/credential.key` (mode 0600, created on first save, expanded with HKDF). The file
 * is versioned JSON: `{ v: 1, kdf, check, iv, tag, data }`, where `check` is a MAC under a
 * separate derived key so a wrong key is told apart from a tampered file.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdf, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { open, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, RedoubtError } from '../errors/index.js';
import { writeFileAtomic } from '../storage/atomic-write.js';
import { readTextIfPresent, unlinkIfPresent } from '../storage/optional-file.js';

export type NodeCredentials = Record<string, Record<string, unknown>>;

/** Where a new key comes from. */
export type CredentialKeySource = { kind: 'passphrase'; passphrase: string } | { kind: 'key-file' };

export interface VaultOptions {
  userDir: string;
  /** Read for `REDOUBT_CREDENTIAL_KEY`; usually `process.env`. */
  env: Readonly<Record<string, string | undefined>>;
  /** Default `flows.cred`. */
  fileName?: string;
  /** Default `<userDir>/credential.key`. */
  keyFile?: string;
  /** scrypt cost (N); default 2^15. Lower only in tests. */
  scryptCost?: number;
}

export interface CredentialVault {
  readonly path: string;
  readonly keyFile: string;
  /** Every node's credentials; `{}` when there is no file yet. */
  load(): Promise<NodeCredentials>;
  /** Replaces the file (atomically, mode 0600); refuses when the existing file does not open with the current key. */
  save(creds: NodeCredentials): Promise<void>;
  /** Re-encrypts under a new key; afterwards the old key no longer opens the file. */
  rotate(newKeySource: CredentialKeySource): Promise<void>;
}

export const CREDENTIAL_KEY_ENV = 'REDOUBT_CREDENTIAL_KEY';
const MIN_PASSPHRASE = 12;
const CHECK_TEXT = 'redoubt credential key check v1';
const HKDF_INFO = 'redoubt flows.cred v1';

type Kdf = { name: 'scrypt'; salt: string; N: number; r: number; p: number } | { name: 'hkdf'; hash: 'sha256'; salt: string };

interface Envelope {
  v: 1;
  kdf: Kdf;
  check: string;
  iv: string;
  tag: string;
  data: string;
}

interface Keys {
  enc: Buffer;
  mac: Buffer;
}

/**
 * @example
 * const vault = createVault({ userDir, env: process.env });
 * const creds = await vault.load();
 * creds['mqtt-broker-1'] = { user: 'plant', password: 's3cret' };
 * await vault.save(creds);
 */
export function createVault(options: VaultOptions): CredentialVault {
  const path = join(options.userDir, options.fileName ?? 'flows.cred');
  const keyFile = options.keyFile ?? join(options.userDir, 'credential.key');
  const pendingKeyFile = `${keyFile}.new`;
  const scryptN = options.scryptCost ?? 2 ** 15;
  // Derived keys by kdf parameters and secret fingerprint: scrypt is slow on purpose, and a save reuses the file's salt.
  const derived = new Map<string, Keys>();

  const passphraseFromEnv = (): string | undefined => {
    const value = options.env[CREDENTIAL_KEY_ENV];
    if (value === undefined || value === '') return undefined;
    checkPassphrase(value, CREDENTIAL_KEY_ENV);
    return value;
  };

  const deriveKeys = async (kdf: Kdf, secret: Buffer | string): Promise<Keys> => {
    const id = `${JSON.stringify(kdf)}:${createHash('sha256').update(secret).digest('hex')}`;
    const cached = derived.get(id);
    if (cached) return cached;
    const salt = Buffer.from(kdf.salt, 'base64');
    const bytes =
      kdf.name === 'scrypt'
        ? await new Promise<Buffer>((resolve, reject) =>
            scrypt(secret, salt, 64, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
          )
        : await new Promise<Buffer>((resolve, reject) =>
            hkdf('sha256', secret, salt, HKDF_INFO, 64, (err, key) => (err ? reject(err) : resolve(Buffer.from(key)))),
          );
    const keys = { enc: bytes.subarray(0, 32), mac: bytes.subarray(32, 64) };
    derived.set(id, keys);
    return keys;
  };

  const newKdf = (kind: CredentialKeySource['kind']): Kdf =>
    kind === 'passphrase'
      ? { name: 'scrypt', salt: randomBytes(16).toString('base64'), N: scryptN, r: 8, p: 1 }
      : { name: 'hkdf', hash: 'sha256', salt: randomBytes(16).toString('base64') };

  const readEnvelope = async (): Promise<Envelope | undefined> => {
    const text = await readTextIfPresent(path);
    return text === undefined ? undefined : parseEnvelope(text, path);
  };

  /** The secret that opens `envelope`, and the keys it derives; refuses with the reason when none does. */
  const openKeys = async (envelope: Envelope, strict: boolean): Promise<Keys> => {
    const passphrase = passphraseFromEnv();
    if (envelope.kdf.name === 'scrypt') {
      if (passphrase === undefined) {
        throw new RedoubtError('credentials_key_wrong', `${path} is encrypted with a passphrase: set ${CREDENTIAL_KEY_ENV} to it`, { place: { file: path, setting: CREDENTIAL_KEY_ENV } });
      }
      const keys = await deriveKeys(envelope.kdf, passphrase);
      if (!checkMatches(envelope, keys)) throw wrongKey(path, `the passphrase in ${CREDENTIAL_KEY_ENV} does not open it`);
      return keys;
    }
    if (strict && passphrase !== undefined) {
      throw new RedoubtError(
        'credentials_key_wrong',
        `${path} is encrypted with the key file ${keyFile}, but ${CREDENTIAL_KEY_ENV} is set: unset it, or run 'redoubt credentials rotate' to move to the passphrase`,
        { place: { file: path, setting: CREDENTIAL_KEY_ENV } },
      );
    }
    const key = await readKeyFile(keyFile);
    if (key === undefined) {
      throw new RedoubtError('credentials_key_wrong', `${path} is encrypted with a key file, but ${keyFile} does not exist: restore it (it is never kept next to a backup)`, { place: { file: keyFile } });
    }
    const keys = await deriveKeys(envelope.kdf, key);
    if (checkMatches(envelope, keys)) return keys;
    // A rotation that stopped after writing flows.cred left the new key beside the old: finish it.
    const pending = await readKeyFile(pendingKeyFile);
    if (pending !== undefined) {
      const pendingKeys = await deriveKeys(envelope.kdf, pending);
      if (checkMatches(envelope, pendingKeys)) {
        await rename(pendingKeyFile, keyFile);
        return pendingKeys;
      }
    }
    throw wrongKey(path, `the key in ${keyFile} does not open it`);
  };

  const encryptTo = async (creds: NodeCredentials, kdf: Kdf, keys: Keys): Promise<void> => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keys.enc, iv);
    cipher.setAAD(headerAad(kdf));
    const data = Buffer.concat([cipher.update(JSON.stringify(creds), 'utf8'), cipher.final()]);
    const envelope: Envelope = {
      v: 1,
      kdf,
      check: keyCheck(keys),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    await writeFileAtomic(path, JSON.stringify(envelope), { mode: 0o600 });
  };

  /** The keys for a new file under the configured source, creating the key file when that is the source. */
  const keysForNewFile = async (): Promise<{ kdf: Kdf; keys: Keys }> => {
    const passphrase = passphraseFromEnv();
    if (passphrase !== undefined) {
      const kdf = newKdf('passphrase');
      return { kdf, keys: await deriveKeys(kdf, passphrase) };
    }
    const key = (await readKeyFile(keyFile)) ?? (await createKeyFile(keyFile));
    const kdf = newKdf('key-file');
    return { kdf, keys: await deriveKeys(kdf, key) };
  };

  return {
    path,
    keyFile,
    async load() {
      const envelope = await readEnvelope();
      if (!envelope) return {};
      return decrypt(envelope, await openKeys(envelope, true), path);
    },
    async save(creds) {
      checkCredentials(creds);
      const envelope = await readEnvelope();
      if (!envelope) {
        const { kdf, keys } = await keysForNewFile();
        await encryptTo(creds, kdf, keys);
        return;
      }
      const keys = await openKeys(envelope, true);
      // Refuse to overwrite a file that was tampered with: it is evidence, and may hold what the caller does not.
      decrypt(envelope, keys, path);
      await encryptTo(creds, envelope.kdf, keys);
    },
    async rotate(source) {
      const envelope = await readEnvelope();
      let creds: NodeCredentials = {};
      let oldSecret: string | Buffer | undefined;
      if (envelope) {
        const keys = await openKeys(envelope, false);
        creds = decrypt(envelope, keys, path);
        oldSecret = envelope.kdf.name === 'scrypt' ? passphraseFromEnv() : await readKeyFile(keyFile);
      }
      if (source.kind === 'passphrase') {
        checkPassphrase(source.passphrase, 'the new passphrase');
        if (oldSecret !== undefined && typeof oldSecret === 'string' && oldSecret === source.passphrase) {
          throw new ConfigError('REDOUBT_NEW_CREDENTIAL_KEY', 'is the same as the current passphrase: choose a new one');
        }
        const kdf = newKdf('passphrase');
        await encryptTo(creds, kdf, await deriveKeys(kdf, source.passphrase));
        // The old key file opens nothing now; keeping it would only keep a secret around.
        await unlinkIfPresent(keyFile);
        await unlinkIfPresent(pendingKeyFile);
        return;
      }
      await unlinkIfPresent(pendingKeyFile);
      const key = await createKeyFile(pendingKeyFile);
      const kdf = newKdf('key-file');
      await encryptTo(creds, kdf, await deriveKeys(kdf, key));
      await rename(pendingKeyFile, keyFile);
    },
  };
}

function parseEnvelope(text: string, path: string): Envelope {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw tampered(path, 'it is not valid JSON', err);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw tampered(path, 'it is not a credentials envelope');
  const e = raw as Record<string, unknown>;
  if ('$' in e && Object.keys(e).length === 1) {
    throw new RedoubtError('credentials_unsupported_format', `${path} is a Node-RED credentials file (aes-256-ctr, unauthenticated): import it with the migration command instead`, { place: { file: path } });
  }
  if (e.v !== 1) {
    if (typeof e.v === 'number') throw new RedoubtError('credentials_unsupported_format', `${path} has format version ${e.v}; this Redoubt reads version 1`, { place: { file: path } });
    throw tampered(path, 'it has no format version');
  }
  const kdf = e.kdf as Record<string, unknown> | undefined;
  const validKdf =
    kdf !== null &&
    typeof kdf === 'object' &&
    typeof kdf.salt === 'string' &&
    ((kdf.name === 'scrypt' && isPow2(kdf.N) && kdf.r === 8 && kdf.p === 1) || (kdf.name === 'hkdf' && kdf.hash === 'sha256'));
  if (!validKdf) throw tampered(path, 'its key parameters are not valid');
  for (const field of ['check', 'iv', 'tag', 'data'] as const) {
    if (typeof e[field] !== 'string') throw tampered(path, `its '${field}' field is missing`);
  }
  return e as unknown as Envelope;
}

function decrypt(envelope: Envelope, keys: Keys, path: string): NodeCredentials {
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.enc, Buffer.from(envelope.iv, 'base64'));
    decipher.setAAD(headerAad(envelope.kdf));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(envelope.data, 'base64')), decipher.final()]);
  } catch (err) {
    throw tampered(path, 'its contents fail authentication', err);
  }
  let creds: unknown;
  try {
    creds = JSON.parse(plain.toString('utf8'));
  } catch {
    // No cause attached: a parser message could quote the decrypted secrets.
    throw tampered(path, 'its decrypted contents are not JSON');
  }
  checkCredentials(creds);
  return creds;
}

/** The header is authenticated with the data so its parameters cannot be swapped unseen. */
function headerAad(kdf: Kdf): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, kdf }), 'utf8');
}

function keyCheck(keys: Keys): string {
  return createHmac('sha256', keys.mac).update(CHECK_TEXT).digest('base64');
}

function checkMatches(envelope: Envelope, keys: Keys): boolean {
  const expected = Buffer.from(keyCheck(keys), 'base64');
  const actual = Buffer.from(envelope.check, 'base64');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function checkCredentials(creds: unknown): asserts creds is NodeCredentials {
  const ok =
    creds !== null &&
    typeof creds === 'object' &&
    !Array.isArray(creds) &&
    Object.values(creds).every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
  if (!ok) throw new RedoubtError('invalid_input', 'credentials must be an object of node id to an object of values');
}

function checkPassphrase(value: string, setting: string): void {
  if (value.length < MIN_PASSPHRASE) throw new ConfigError(setting, `must be at least ${MIN_PASSPHRASE} characters`);
}

/** The key file's 32 bytes; undefined when there is none. Refuses a file others can read. */
export async function readKeyFile(path: string): Promise<Buffer | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RedoubtError('read_failed', `could not read ${path}: ${(err as Error).message}`, { cause: err, place: { file: path } });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new RedoubtError(
      'credentials_key_insecure',
      `${path} can be read by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): run 'chmod 600 ${path}' and make sure it belongs to the user running Redoubt`,
      { place: { file: path } },
    );
  }
  const text = (await readFile(path, 'utf8')).trim();
  if (!/^[0-9a-f]{64}$/i.test(text)) {
    throw new RedoubtError('credentials_key_invalid', `${path} does not hold a 256-bit key (64 hexadecimal digits)`, { place: { file: path } });
  }
  return Buffer.from(text, 'hex');
}

export interface CreateKeyFileOptions {
  /** When another process made the file first, read and return its key instead of failing. */
  takeExisting?: boolean;
}

/**
 * Creates a key file with a fresh random key, mode 0600; never replaces one. The credential key
 * and the second-factor key are both such files.
 */
export async function createKeyFile(path: string, options: CreateKeyFileOptions = {}): Promise<Buffer> {
  const key = randomBytes(32);
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (err) {
    if (options.takeExisting && (err as NodeJS.ErrnoException).code === 'EEXIST') return (await readKeyFile(path))!;
    throw new RedoubtError('write_failed', `could not create ${path}: ${(err as Error).message}`, { cause: err, place: { file: path } });
  }
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${key.toString('hex')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return key;
}

function isPow2(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 2 ** 10 && n <= 2 ** 22 && (n & (n - 1)) === 0;
}

function wrongKey(path: string, why: string): RedoubtError {
  return new RedoubtError('credentials_key_wrong', `${path} cannot be opened: ${why} (wrong key, or the file's key fields were altered)`, { place: { file: path } });
}

function tampered(path: string, why: string, cause?: unknown): RedoubtError {
  return new RedoubtError('credentials_tampered', `${path} was altered or damaged: ${why}; restore it from a backup`, { cause, place: { file: path } });
}
