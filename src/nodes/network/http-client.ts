/**
 * The HTTP client behind `http request`, on Node's own `http`/`https`. Not `fetch`: Node 20's
 * fetch (undici) takes neither per-request TLS material nor `insecureHTTPParser`, and reaches
 * proxies only through an undici Agent, which is not a direct dependency. This does what the
 * node needs of got in Node-RED: one timeout for the whole exchange, redirects (up to 21, the
 * method kept except on 303, Authorization dropped when the origin changes, cookies carried),
 * one digest-auth retry, HTTP proxies (absolute-URI requests, CONNECT tunnels for https), and
 * no decompression (the body is returned as sent).
 */
import http, { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { RedoubtError } from '../../errors/index.js';
import { extractResponseCookies, type ResponseCookies } from './cookie-codec.js';
import { buildDigestHeader } from './digest-auth.js';
import type { TlsOptions } from './tls-config.js';

export interface ProxyTarget {
  url: string;
  username?: string;
  password?: string;
}

export interface HttpClientRequest {
  url: string;
  method: string;
  headers: Record<string, string | number | string[]>;
  body?: Buffer | string;
  timeoutMs: number;
  followRedirects: boolean;
  maxRedirects?: number;
  /** Applied to every https connection (CA, client certificate, rejectUnauthorized...). */
  tls?: TlsOptions;
  /** The proxy for a URL, or undefined to connect directly. */
  proxy?: (url: string) => ProxyTarget | undefined;
  insecureHTTPParser?: boolean;
  digest?: { user: string; password: string };
  /** `name=value` pairs sent to the first URL's host. */
  cookies?: ReadonlyArray<[string, string]>;
  agents?: { http: http.Agent; https: https.Agent };
}

export interface Redirect {
  location: string;
  cookies?: ResponseCookies;
}

export interface HttpClientResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
  redirectList: Redirect[];
}

/** A failed exchange. `code` is Node's or got's (ECONNREFUSED, ETIMEDOUT...), which Node-RED puts in msg.statusCode. */
export class HttpRequestError extends RedoubtError {
  override toString(): string {
    return `RequestError: ${this.message}`;
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function basic(user = '', password = ''): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function defaultPort(url: URL): number {
  return Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
}

function proxyAuthorization(proxy: ProxyTarget, proxyUrl: URL): string | undefined {
  const user = proxy.username ?? decodeURIComponent(proxyUrl.username);
  const pass = proxy.password ?? decodeURIComponent(proxyUrl.password);
  return user || pass ? basic(user, pass) : undefined;
}

function wrapError(err: unknown): HttpRequestError {
  if (err instanceof HttpRequestError) return err;
  const e = err as NodeJS.ErrnoException;
  return new HttpRequestError(e?.code ?? 'ERR_HTTP_REQUEST', e?.message ?? String(err), { cause: err });
}

export function sendHttpRequest(spec: HttpClientRequest): Promise<HttpClientResponse> {
  const maxRedirects = spec.maxRedirects ?? 21;
  return new Promise((resolve, reject) => {
    let finished = false;
    const open = new Set<ClientRequest>();
    const jar = new Map<string, Map<string, string>>();
    const redirectList: Redirect[] = [];
    let digestSent = false;

    const finish = () => {
      finished = true;
      clearTimeout(timer);
      for (const r of open) r.destroy();
      open.clear();
    };
    const fail = (err: unknown) => {
      if (finished) return;
      finish();
      reject(wrapError(err));
    };
    const timer = setTimeout(() => fail(new HttpRequestError('ETIMEDOUT', `Timeout awaiting 'request' for ${spec.timeoutMs}ms`)), spec.timeoutMs);

    const remember = (url: URL, setCookie: string[] | undefined) => {
      if (!setCookie) return;
      const cookies = jar.get(url.host) ?? new Map<string, string>();
      for (const [name, c] of Object.entries(extractResponseCookies(setCookie))) cookies.set(name, c.value ?? '');
      jar.set(url.host, cookies);
    };

    const track = (req: ClientRequest) => {
      open.add(req);
      req.once('close', () => open.delete(req));
      req.once('error', fail);
      return req;
    };

    const tunnel = (proxy: ProxyTarget, target: URL) => (_opts: unknown, done: (err: Error | null, socket?: Duplex) => void) => {
      const proxyUrl = new URL(proxy.url);
      const authority = `${target.hostname}:${defaultPort(target)}`;
      const headers: Record<string, string> = { Host: authority };
      const auth = proxyAuthorization(proxy, proxyUrl);
      if (auth) headers['Proxy-Authorization'] = auth;
      const connect = track(
        (proxyUrl.protocol === 'https:' ? https : http).request({ host: proxyUrl.hostname, port: defaultPort(proxyUrl), method: 'CONNECT', path: authority, headers, agent: false }),
      );
      connect.once('connect', (res: IncomingMessage, socket: Duplex) => {
        if (res.statusCode !== 200) {
          socket.destroy();
          done(new HttpRequestError('EPROXY', `proxy refused the tunnel to ${authority} with status ${res.statusCode}`));
          return;
        }
        const host = target.hostname.replace(/^\[|\]$/g, '');
        done(null, tls.connect({ ...spec.tls, socket, servername: spec.tls?.servername ?? (isIP(host) ? undefined : host) }));
      });
      connect.end();
      return undefined;
    };

    const attempt = (url: URL, method: string, headers: Record<string, string | number | string[]>, body: Buffer | string | undefined, hop: number) => {
      if (finished) return;
      const isHttps = url.protocol === 'https:';
      const proxy = spec.proxy?.(url.href);
      const sent: Record<string, string | number | string[]> = { ...headers };
      // Node frames no body for GET/DELETE without a length; state it (a GET body with paytoqs 'body').
      if (body !== undefined && !Object.keys(sent).some((h) => /^(content-length|transfer-encoding)$/i.test(h))) sent['Content-Length'] = Buffer.byteLength(body);
      const cookies = jar.get(url.host);
      if (cookies && cookies.size > 0) sent.Cookie = [...cookies].map(([n, v]) => `${n}=${v}`).join('; ');
      const options: RequestOptions & TlsOptions = { method, headers: sent, insecureHTTPParser: spec.insecureHTTPParser === true };
      let mod: typeof http | typeof https = isHttps ? https : http;
      if (isHttps) Object.assign(options, spec.tls);
      if (proxy && !isHttps) {
        // A plain-HTTP request through a proxy names the whole URL in the request line.
        const proxyUrl = new URL(proxy.url);
        mod = proxyUrl.protocol === 'https:' ? https : http;
        Object.assign(options, { host: proxyUrl.hostname, port: defaultPort(proxyUrl), path: url.href, agent: false });
        sent.Host = url.host;
        const auth = proxyAuthorization(proxy, proxyUrl);
        if (auth) sent['Proxy-Authorization'] = auth;
      } else {
        Object.assign(options, { hostname: url.hostname.replace(/^\[|\]$/g, ''), port: defaultPort(url), path: url.pathname + url.search });
        if (proxy) options.createConnection = tunnel(proxy, url) as RequestOptions['createConnection'];
        else if (spec.agents) options.agent = isHttps ? spec.agents.https : spec.agents.http;
      }
      const req = track(
        mod.request(options, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.once('error', fail);
          res.once('end', () => {
            if (finished) return;
            const status = res.statusCode ?? 0;
            remember(url, res.headers['set-cookie']);
            const challenge = res.headers['www-authenticate'];
            if (status === 401 && spec.digest && !digestSent && typeof challenge === 'string' && /^digest /i.test(challenge)) {
              digestSent = true;
              let authorization: string;
              try {
                authorization = buildDigestHeader({ ...spec.digest, method, uri: url.pathname + url.search, challenge });
              } catch (err) {
                return fail(err);
              }
              return attempt(url, method, { ...headers, Authorization: authorization }, body, hop);
            }
            const location = res.headers.location;
            if (spec.followRedirects && REDIRECTS.has(status) && location) {
              if (hop >= maxRedirects) return fail(new HttpRequestError('ERR_TOO_MANY_REDIRECTS', `Redirected ${maxRedirects} times. Aborting.`));
              let next: URL;
              try {
                next = new URL(location, url);
              } catch (err) {
                return fail(err);
              }
              const entry: Redirect = { location };
              if (res.headers['set-cookie']) entry.cookies = extractResponseCookies(res.headers['set-cookie']);
              redirectList.push(entry);
              const nextHeaders = { ...headers };
              let nextMethod = method;
              let nextBody = body;
              if (status === 303 && method !== 'HEAD') {
                nextMethod = 'GET';
                nextBody = undefined;
                for (const h of Object.keys(nextHeaders)) if (/^content-(length|type)$/i.test(h)) delete nextHeaders[h];
              }
              // Credentials meant for one origin are not handed to another.
              if (next.origin !== url.origin) for (const h of Object.keys(nextHeaders)) if (/^authorization$/i.test(h)) delete nextHeaders[h];
              return attempt(next, nextMethod, nextHeaders, nextBody, hop + 1);
            }
            finish();
            resolve({ statusCode: status, headers: res.headers, body: Buffer.concat(chunks), url: url.href, redirectList });
          });
        }),
      );
      if (body !== undefined) req.write(body);
      req.end();
    };

    let first: URL;
    try {
      first = new URL(spec.url);
    } catch (err) {
      return fail(new HttpRequestError('ERR_INVALID_URL', `Invalid URL: ${spec.url}`, { cause: err }));
    }
    if (spec.cookies && spec.cookies.length > 0) jar.set(first.host, new Map(spec.cookies));
    const headers = { ...spec.headers };
    attempt(first, spec.method, headers, spec.body, 0);
  });
}
