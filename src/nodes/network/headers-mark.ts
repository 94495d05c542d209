/**
 * `http request` marks the headers it puts on a message with a digest of them under
 * `x-node-red-request-node`. When the same, unchanged headers reach `http response` or another
 * `http request`, the mark tells them apart from headers a flow set on purpose, and they are
 * dropped instead of echoed back (Node-RED's behaviour, with its own hash).
 */
import { createHash } from 'node:crypto';

export const MARK_HEADER = 'x-node-red-request-node';

function stable(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${stable(obj[k])}`).join(',')}}`;
}

export function headersDigest(headers: Record<string, unknown>): string {
  return createHash('sha1').update(stable(headers)).digest('hex').slice(0, 16);
}

/**
 * The headers a flow means to send: without the mark, or none at all when they are exactly the
 * response headers `http request` marked. Removes the mark from `headers` in place, as Node-RED does.
 */
export function intendedHeaders(headers: unknown): Record<string, unknown> | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const h = headers as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(h, MARK_HEADER)) return h;
  const mark = h[MARK_HEADER];
  delete h[MARK_HEADER];
  return headersDigest(h) === mark ? undefined : h;
}
