/**
 * The plain-HTTP listener that exists only to send browsers to HTTPS: every request is answered
 * with a 308 to the same path on the HTTPS port, nothing else is served on it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpsRedirect {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** A Host header that may be reused in the Location: a name or bracketed IPv6, with a port or not. */
const SAFE_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** `https://<host><path>` for a request: the host from the Host header (port swapped), else `fallbackHost`. */
export function httpsLocation(req: IncomingMessage, options: { httpsPort: number; fallbackHost: string }): string {
  const header = req.headers.host;
  let name = header && SAFE_HOST.test(header) ? header.replace(/:\d+$/, '') : options.fallbackHost;
  if (name.includes(':') && !name.startsWith('[')) name = `[${name}]`;
  const port = options.httpsPort === 443 ? '' : `:${options.httpsPort}`;
  const path = (req.url ?? '/').startsWith('/') ? (req.url ?? '/') : '/';
  return `https://${name}${port}${path}`;
}

/**
 * @example const redirect = await listenHttpsRedirect({ host: '0.0.0.0', port: 80, httpsPort: 443 });
 */
export async function listenHttpsRedirect(options: { host: string; port: number; httpsPort: number }): Promise<HttpsRedirect> {
  const fallbackHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 10_000 }, (req: IncomingMessage, res: ServerResponse) => {
    // 308 keeps the method and body, so an API client's POST is not turned into a GET.
    res.writeHead(308, { Location: httpsLocation(req, { httpsPort: options.httpsPort, fallbackHost }), 'Content-Length': '0', Connection: 'close' });
    res.end();
    req.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
