/**
 * Parses a Cookie request header into name → value, as cookie-parser does for Node-RED's http
 * in: the first occurrence of a name wins, quoted values are unquoted, percent-encoding is
 * decoded where it is valid and kept as sent where it is not.
 */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out[name] = decodeCookieValue(value);
  }
  return out;
}

function decodeCookieValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch (err) {
    // A malformed escape is data the client sent; keep it verbatim rather than drop the cookie.
    if (err instanceof URIError) return value;
    throw err;
  }
}
