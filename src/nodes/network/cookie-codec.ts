/**
 * The cookie handling of `http request`: `msg.cookies` to a Cookie header, and Set-Cookie
 * response headers to `msg.responseCookies` in Node-RED's shape (`{ name: { value, Path, ... } }`,
 * attributes keyed as the server wrote them).
 */

function decode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch (err) {
    // A malformed escape is data the peer sent; keep it verbatim rather than drop the cookie.
    if (err instanceof URIError) return value;
    throw err;
  }
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/**
 * Parses `name=value; Attr=x; Flag` pairs as the `cookie` package does for Node-RED, in a Cookie
 * request header (http in) and in a Set-Cookie line (http request): pairs without '=' are
 * skipped, the first occurrence of a name wins, quoted values are unquoted, and percent-encoding
 * is decoded where it is valid and kept as sent where it is not. The record has no prototype, so
 * a peer's `constructor` or `__proto__` is a key like any other.
 */
export function parseCookiePairs(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    if (key && !(key in out)) out[key] = decode(unquote(part.slice(eq + 1).trim()));
  }
  return out;
}

export type ResponseCookies = Record<string, Record<string, string>>;

export function extractResponseCookies(setCookie: unknown): ResponseCookies {
  const cookies: ResponseCookies = {};
  if (!Array.isArray(setCookie)) return cookies;
  for (const line of setCookie) {
    if (typeof line !== 'string') continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const name = line.slice(0, eq).trim();
    if (!name) continue;
    const parsed = parseCookiePairs(line);
    const value = parsed[name];
    delete parsed[name];
    // Defined, not assigned: a server's `__proto__=...` cookie stays a cookie of that name
    // instead of replacing the prototype of the object the flow receives.
    Object.defineProperty(cookies, name, { value: { ...parsed, value: value ?? '' }, enumerable: true, writable: true, configurable: true });
  }
  return cookies;
}

/** `msg.cookies` as `name=value` pairs: a plain value, or `{ value, encode }`; cleared cookies (`null`) are skipped. */
export function requestCookiePairs(cookies: unknown): Array<[string, string]> {
  if (!cookies || typeof cookies !== 'object') return [];
  const out: Array<[string, string]> = [];
  for (const [name, cookie] of Object.entries(cookies as Record<string, unknown>)) {
    if (cookie === null || cookie === undefined) continue;
    if (typeof cookie === 'object') {
      const { value, encode } = cookie as { value?: unknown; encode?: unknown };
      if (value === null || value === undefined) continue;
      out.push([name, encode === false ? String(value) : encodeURIComponent(String(value))]);
    } else out.push([name, encodeURIComponent(String(cookie))]);
  }
  return out;
}
