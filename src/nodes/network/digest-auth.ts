/**
 * HTTP digest authentication (RFC 7616, with RFC 2617's `-sess` and no-qop forms) for
 * `http request`: builds the Authorization header answering a server's challenge.
 */
import { createHash, randomUUID } from 'node:crypto';
import { RedoubtError } from '../../errors/index.js';

function hashWith(algorithm: string | undefined, value: string): string {
  const name = (algorithm ?? '').toLowerCase().replace(/-sess$/, '');
  if (name === 'sha-256') return createHash('sha256').update(value).digest('hex');
  // SHA-512/256 as Node-RED computes it: the first 256 bits of SHA-512.
  if (name === 'sha-512-256') return createHash('sha512').update(value).digest('hex').slice(0, 64);
  return createHash('md5').update(value).digest('hex');
}

export function parseChallenge(header: string): Record<string, string> {
  const challenge: Record<string, string> = {};
  const re = /([a-z0-9_-]+)=(?:"([^"]*)"|([^\s,]+))/gi;
  for (let m = re.exec(header); m; m = re.exec(header)) challenge[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  return challenge;
}

export interface DigestRequest {
  user: string;
  password: string;
  method: string;
  /** Path and query of the request. */
  uri: string;
  /** The WWW-Authenticate header of the 401 response. */
  challenge: string;
  /** For tests: the client nonce. */
  cnonce?: string;
}

export function buildDigestHeader(req: DigestRequest): string {
  const c = parseChallenge(req.challenge);
  if (!c.nonce) throw new RedoubtError('invalid_digest_challenge', 'Invalid digest challenge: missing nonce');
  if (c.realm === undefined) throw new RedoubtError('invalid_digest_challenge', 'Invalid digest challenge: missing realm');
  const qop = c.qop !== undefined && /(^|,)\s*auth\s*($|,)/.test(c.qop) ? 'auth' : undefined;
  const nc = '00000001';
  const cnonce = req.cnonce ?? randomUUID().replace(/-/g, '');
  let ha1 = hashWith(c.algorithm, `${req.user}:${c.realm}:${req.password}`);
  if (c.algorithm && /-sess$/i.test(c.algorithm)) ha1 = hashWith(c.algorithm, `${ha1}:${c.nonce}:${cnonce}`);
  const ha2 = hashWith(c.algorithm, `${req.method}:${req.uri}`);
  const response = qop ? hashWith(c.algorithm, `${ha1}:${c.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : hashWith(c.algorithm, `${ha1}:${c.nonce}:${ha2}`);
  const parts = [`username="${req.user}"`, `realm="${c.realm}"`, `nonce="${c.nonce}"`, `uri="${req.uri}"`];
  if (qop) parts.push(`qop=${qop}`);
  parts.push(`response="${response}"`);
  if (qop) parts.push(`nc=${nc}`, `cnonce="${cnonce}"`);
  if (c.algorithm) parts.push(`algorithm=${c.algorithm}`);
  if (c.opaque) parts.push(`opaque="${c.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}
