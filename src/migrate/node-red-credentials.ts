/**
 * Node-RED's credentials file (`flows_cred.json`, or `<flowFile base>_cred.json`). Encrypted, it is
 * `{ "$": "<iv as 32 hex chars><base64 ciphertext>" }`: AES-256-CTR under the SHA-256 of the
 * secret, of the JSON of `{ nodeId: { name: value } }`. With `credentialSecret: false` it is that
 * JSON in the clear. CTR has no integrity check, so a wrong secret shows only as text that does
 * not parse into an object; that is the test used here, as Node-RED does.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { RedoubtError } from '../errors/index.js';

export type NodeRedCredentials = Record<string, Record<string, unknown>>;

/** A secret to try, and where it came from (for the messages; never the secret itself). */
export interface CredentialSecretCandidate {
  secret: string;
  source: string;
}

export interface DecryptedCredentials {
  credentials: NodeRedCredentials;
  /** The candidate that opened the file; undefined when the file was not encrypted. */
  openedWith?: string;
}

/** Whether the parsed file is the encrypted form (a single `$` key). */
export function isEncryptedCredentials(file: unknown): file is { $: string } {
  return isRecord(file) && Object.keys(file).length === 1 && typeof file.$ === 'string';
}

/** Decrypts one encrypted file body with one secret; throws when the result is not credentials. */
export function decryptWithSecret(body: string, secret: string): NodeRedCredentials {
  if (!/^[0-9a-fA-F]{32}/.test(body)) throw new Error('the encrypted value does not start with a 16-byte hex IV');
  const iv = Buffer.from(body.slice(0, 32), 'hex');
  const key = createHash('sha256').update(secret).digest();
  const decipher = createDecipheriv('aes-256-ctr', key, iv);
  const text = Buffer.concat([decipher.update(Buffer.from(body.slice(32), 'base64')), decipher.final()]).toString('utf8');
  const parsed: unknown = JSON.parse(text);
  if (!isCredentialMap(parsed)) throw new Error('the decrypted text is not a map of node credentials');
  return parsed;
}

/**
 * Opens the credentials file with the first candidate that yields credentials, in the order given
 * (Node-RED's order: a generated `_credentialSecret` still present wins, then `credentialSecret`).
 *
 * @example
 * const { credentials } = openNodeRedCredentials(JSON.parse(text), [{ secret, source: 'settings.js credentialSecret' }], 'flows_cred.json');
 */
export function openNodeRedCredentials(file: unknown, candidates: readonly CredentialSecretCandidate[], path: string): DecryptedCredentials {
  const place = { file: path };
  if (!isEncryptedCredentials(file)) {
    if (!isCredentialMap(file)) throw new RedoubtError('node_red_credentials_invalid', `${path} is neither encrypted credentials nor a map of node credentials`, { place });
    return { credentials: file };
  }
  if (candidates.length === 0) {
    throw new RedoubtError(
      'node_red_credential_secret_missing',
      `${path} is encrypted, but neither settings.js (credentialSecret) nor .config.runtime.json (_credentialSecret) holds a secret: pass it with --credential-secret-env <VAR>`,
      { place },
    );
  }
  for (const candidate of candidates) {
    try {
      return { credentials: decryptWithSecret(file.$, candidate.secret), openedWith: candidate.source };
    } catch (err) {
      // Not this secret: try the next; the last failure is reported below.
      if (candidate === candidates[candidates.length - 1]) {
        throw new RedoubtError(
          'node_red_credential_secret_wrong',
          `${path} does not decrypt with the secret from ${candidates.map((c) => c.source).join(' or ')}: is it the secret this Node-RED ran with?`,
          { place, cause: err },
        );
      }
    }
  }
  throw new RedoubtError('node_red_credential_secret_wrong', `${path} could not be decrypted`, { place });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isCredentialMap(value: unknown): value is NodeRedCredentials {
  return isRecord(value) && Object.values(value).every(isRecord);
}
