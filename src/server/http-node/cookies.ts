import { parseCookiePairs } from '../../nodes/network/cookie-codec.js';

/**
 * Parses a Cookie request header into name → value, as cookie-parser does for Node-RED's http
 * in (the rules are those of `parseCookiePairs`, shared with the http request node).
 */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  return header ? parseCookiePairs(header) : Object.create(null);
}
