/**
 * Certificate and key from files, checked by building a secure context from them, so a wrong pair
 * (a key that does not match the certificate, a file that is not PEM) stops the start with an error
 * naming the setting instead of failing the first handshake.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContext, type SecureVersion } from 'node:tls';
import { ConfigError } from '../../errors/index.js';

/** Older protocol versions are refused at the handshake. */
export const TLS_MIN_VERSION: SecureVersion = 'TLSv1.2';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** A CA bundle to send along (intermediate certificates). */
  caFile?: string;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  context: SecureContext;
}

async function readSetting(path: string, setting: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new ConfigError(setting, `cannot read '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

/**
 * @example const material = await readTlsMaterial({ certFile: 'tls/cert.pem', keyFile: 'tls/key.pem' });
 */
export async function readTlsMaterial(files: TlsFiles): Promise<TlsMaterial> {
  const cert = await readSetting(files.certFile, 'https.cert');
  const key = await readSetting(files.keyFile, 'https.key');
  const ca = files.caFile === undefined ? undefined : await readSetting(files.caFile, 'https.ca');
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('https.cert', `'${files.certFile}' holds no PEM certificate`);
  if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(key.toString('latin1'))) throw new ConfigError('https.key', `'${files.keyFile}' holds no PEM private key`);
  try {
    const context = createSecureContext({ cert, key, ca, minVersion: TLS_MIN_VERSION });
    return { cert, key, ca, context };
  } catch (err) {
    // OpenSSL's reason (e.g. "key values mismatch") says what is wrong without revealing the key.
    const reason = (err as Error).message.split('\n')[0];
    throw new ConfigError('https.key', `the key in '${files.keyFile}' does not fit the certificate in '${files.certFile}': ${reason}`, { cause: err });
  }
}
