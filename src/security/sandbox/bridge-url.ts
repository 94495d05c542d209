/**
 * The host's side of the function sandbox's URL class (isolate/url.js): parses and setters with
 * Node's own WHATWG parser, strings in and strings out.
 */
import { errorText } from './errors.js';

const URL_PARTS = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;
const URL_SETTABLE = new Set<string>(URL_PARTS.filter((part) => part !== 'origin'));

function urlParts(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of URL_PARTS) out[name] = url[name];
  return out;
}

/**
 * The sandbox's URL class parses with Node's WHATWG parser: `parse` (input, base) or `set`
 * (href, part, value), answering the parts or `{ err }`. Strings only; nothing else is reached.
 */
export function urlOp(kind: unknown, a: unknown, b: unknown, c: unknown): unknown {
  try {
    if (kind === 'parse') return urlParts(new URL(String(a), b === null || b === undefined ? undefined : String(b)));
    if (kind === 'set' && typeof b === 'string' && URL_SETTABLE.has(b)) {
      const url = new URL(String(a));
      (url as unknown as Record<string, string>)[b] = String(c);
      return urlParts(url);
    }
    return { err: 'unknown URL operation' };
  } catch (err) {
    return { err: errorText(err) };
  }
}
