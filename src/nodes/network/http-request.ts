/**
 * `http request`: sends an HTTP(S) request built from the node and the message, and sends on the
 * response (`msg.payload` as a string, Buffer or parsed JSON, `msg.statusCode`, `msg.headers`,
 * `msg.responseUrl`, `msg.responseCookies`, `msg.redirectList`). The URL is the node's (a
 * mustache template over msg) or `msg.url`; the method the node's or, with `use`, `msg.method`.
 */
import http from 'node:http';
import https from 'node:https';
import { stringify as toQueryString } from 'node:querystring';
import mustache from 'mustache';
import { boolean, configRef, defineNode, json, select, string } from '../../runtime/definition/index.js';
import { evaluateNodeProperty } from '../../runtime/properties/index.js';
import type { Msg } from '../../runtime/types.js';
import { extractResponseCookies, requestCookiePairs } from './cookie-codec.js';
import { headersDigest, intendedHeaders, MARK_HEADER } from './headers-mark.js';
import { HttpRequestError, sendHttpRequest, type HttpClientRequest, type ProxyTarget } from './http-client.js';
import { proxyConfigFrom } from './http-proxy.js';
import { proxyEnvFromProcess, proxyForUrl, type ProxyEnv } from './proxy-for-url.js';
import { tlsOptionsFrom } from './tls-config.js';

interface HeaderRow {
  keyType?: string;
  keyValue?: string;
  valueType?: string;
  valueValue?: string;
}

type Headers = Record<string, string | number | string[]>;

/** Sets a header whatever the case of an existing one; an empty value removes it (Node-RED's updateHeader). */
function updateHeader(headers: Headers, name: string, value: unknown): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) delete headers[key];
  if (value !== undefined && value !== null && value !== '') headers[name] = Array.isArray(value) ? value.map(String) : typeof value === 'number' ? value : String(value);
}

function findHeader(headers: Headers, name: string): string | undefined {
  const lower = name.toLowerCase();
  const key = Object.keys(headers).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : String(headers[key]);
}

/** A query string with every stray `%` (not starting a valid escape) escaped, as Node-RED normalises it. */
function normaliseQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url.slice(q + 1);
  if (!query) return url;
  return url.slice(0, q + 1) + query.replace(/%(?![0-9a-f]{2})/gi, '%25');
}

async function multipartBody(payload: Record<string, unknown>): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') form.append(name, value);
    else if (Buffer.isBuffer(value)) form.append(name, new Blob([new Uint8Array(value)]), name);
    else if (typeof value === 'object' && 'value' in value) {
      const v = (value as { value: unknown; options?: { filename?: string; contentType?: string } });
      const data = Buffer.isBuffer(v.value) ? new Uint8Array(v.value) : String(v.value);
      const type = v.options?.contentType;
      if (v.options?.filename || Buffer.isBuffer(v.value)) form.append(name, new Blob([data], type ? { type } : {}), v.options?.filename ?? name);
      else form.append(name, String(v.value));
    } else form.append(name, JSON.stringify(value));
  }
  // The platform encoder writes the parts and the boundary; no form-data dependency needed.
  const encoded = new Response(form);
  return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}

export const httpRequestNode = defineNode({
  type: 'http request',
  category: 'network',
  inputs: 1,
  outputs: 1,
  properties: {
    method: select(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'use'], { default: 'GET', lenient: true, label: 'Method' }),
    ret: select(['txt', 'bin', 'obj'], { default: 'txt', lenient: true, label: 'Return' }),
    // Old flows save true/false, newer ones 'ignore' | 'query' | 'body'.
    paytoqs: json<boolean | string>({ default: false }),
    url: string({ default: '', label: 'URL' }),
    tls: configRef('tls-config', { label: 'TLS Configuration' }),
    persist: boolean({ default: false, label: 'Enable connection keep-alive' }),
    proxy: configRef('http proxy', { label: 'Proxy Configuration' }),
    insecureHTTPParser: boolean({ default: false, label: 'Disable strict HTTP parsing' }),
    authType: select(['', 'basic', 'digest', 'bearer'], { default: '', lenient: true, label: 'Type' }),
    senderr: boolean({ default: false, label: 'Only send non-2xx responses to Catch node' }),
    headers: json<HeaderRow[]>({ default: [], check: (v) => (Array.isArray(v) ? undefined : 'must be a list of headers') }),
  },
  credentials: {
    user: { type: 'text' },
    password: { type: 'password' },
  },
  editor: { color: 'rgb(231, 231, 174)', icon: 'white-globe.svg' },
  create(config, node) {
    const nodeUrl = config.url;
    const isTemplated = nodeUrl.includes('{{');
    const template = isTemplated ? (mustache.parse(nodeUrl), nodeUrl) : undefined;
    const paytoqs = config.paytoqs === true || config.paytoqs === 'query';
    const paytobody = config.paytoqs === 'body';
    const authType = config.authType || 'basic';
    const settingTimeout = Number.parseInt(String(node.runtime.settings.httpRequestTimeout ?? ''), 10);
    const defaultTimeout = settingTimeout > 0 ? settingTimeout : 120000;
    const tlsNode = config.tls ? node.runtime.getNode(config.tls) : undefined;
    const proxyNode = config.proxy ? node.runtime.getNode(config.proxy) : undefined;
    const agents = config.persist ? { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) } : undefined;
    const credentials = node.credentials as { user?: string; password?: string };

    const proxyFor = (url: string): ProxyTarget | undefined => {
      const cfg = proxyConfigFrom(proxyNode);
      let env: ProxyEnv;
      if (config.proxy) env = cfg ? { http_proxy: cfg.url, https_proxy: cfg.url, no_proxy: cfg.noproxy.join(',') } : {};
      else env = proxyEnvFromProcess(process.env);
      const proxyUrl = proxyForUrl(url, env);
      return proxyUrl ? { url: proxyUrl, username: cfg?.username, password: cfg?.password } : undefined;
    };

    const headerPart = (type: string | undefined, value: string | undefined, msg: Msg): unknown => {
      if (type === 'other') return value;
      if (type === 'msg') {
        try {
          return evaluateNodeProperty(value, 'msg', node, msg);
        } catch (err) {
          // Node-RED skips a header whose msg property cannot be read.
          node.debug(`header skipped: ${String(err)}`);
          return undefined;
        }
      }
      return type;
    };

    let inFlight = 0;
    const settle = () => {
      inFlight--;
      if (inFlight === 0) node.status({});
    };

    const handle = async (msg: Msg, send: (m: Msg) => void, done: (err?: unknown) => void) => {
      let url = nodeUrl || (typeof msg.url === 'string' ? msg.url : '');
      if (msg.url && nodeUrl && nodeUrl !== msg.url) node.warn('Warning: msg properties can no longer override set node properties. See bit.ly/nr-override-msg-props');
      if (template) url = mustache.render(template, msg);
      if (!url) {
        node.error('No url specified', msg);
        return done();
      }
      if (url.includes('://') && !url.startsWith('http')) {
        node.warn('non-http transport requested');
        node.status({ fill: 'red', shape: 'ring', text: 'non-http transport requested' });
        return done();
      }
      if (!url.startsWith('http://') && !url.startsWith('https://')) url = (tlsNode ? 'https://' : 'http://') + url;
      url = normaliseQuery(url);

      let method = config.method.toUpperCase() || 'GET';
      if (msg.method && config.method !== 'use') node.warn('Warning: msg properties can no longer override set node properties. See bit.ly/nr-override-msg-props');
      if (config.method === 'use') method = String(msg.method ?? 'GET').toUpperCase();

      let timeoutMs = defaultTimeout;
      if (msg.requestTimeout !== undefined) {
        const t = Number(msg.requestTimeout);
        if (Number.isNaN(t)) node.warn('Timeout value is not a valid number, ignoring');
        else if (t < 1) node.warn('Timeout value is negative, ignoring');
        else timeoutMs = t;
      }

      const headers: Headers = {};
      const fromMsg = intendedHeaders(msg.headers);
      if (fromMsg === undefined) delete msg.headers;
      else for (const [name, value] of Object.entries(fromMsg)) updateHeader(headers, name, value);
      // The node's own headers win over msg.headers.
      for (const row of config.headers) {
        const name = headerPart(row.keyType, row.keyValue, msg);
        if (!name) continue;
        updateHeader(headers, String(name), headerPart(row.valueType, row.valueValue, msg));
      }

      const cookies = requestCookiePairs(msg.cookies);
      const cookieHeader = findHeader(headers, 'cookie');
      if (cookieHeader !== undefined) {
        // A Cookie header joins the cookie jar, so that it follows redirects like msg.cookies.
        for (const part of cookieHeader.split(';')) {
          const eq = part.indexOf('=');
          if (eq > 0) cookies.unshift([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
        }
        updateHeader(headers, 'cookie', undefined);
      }

      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch (err) {
        node.error(new HttpRequestError('ERR_INVALID_URL', `Invalid URL: ${url}`, { cause: err }), msg);
        return done();
      }
      const user = credentials.user || decodeURIComponent(parsed.username) || undefined;
      const password = credentials.password || decodeURIComponent(parsed.password) || undefined;
      let digest: HttpClientRequest['digest'];
      if (user !== undefined || password !== undefined) {
        if (authType === 'basic') updateHeader(headers, 'Authorization', `Basic ${Buffer.from(`${user ?? ''}:${password ?? ''}`).toString('base64')}`);
        else if (authType === 'digest') digest = { user: user ?? '', password: password ?? '' };
        else if (authType === 'bearer') updateHeader(headers, 'Authorization', `Bearer ${password ?? ''}`);
      }
      if (parsed.username || parsed.password) {
        parsed.username = '';
        parsed.password = '';
        url = parsed.href;
      }

      let body: Buffer | string | undefined;
      const payload = msg.payload;
      if (method !== 'GET' && method !== 'HEAD' && payload !== undefined) {
        const contentType = findHeader(headers, 'content-type');
        if (contentType === 'multipart/form-data' && typeof payload === 'object' && payload !== null && !Buffer.isBuffer(payload)) {
          const form = await multipartBody(payload as Record<string, unknown>);
          updateHeader(headers, 'content-type', form.contentType);
          body = form.body;
        } else {
          if (typeof payload === 'string' || Buffer.isBuffer(payload)) body = payload;
          else if (typeof payload === 'number') body = String(payload);
          else if (contentType === 'application/x-www-form-urlencoded') body = toQueryString(payload as Record<string, string>);
          else {
            body = JSON.stringify(payload);
            if (contentType === undefined) headers['Content-Type'] = 'application/json';
          }
          if (findHeader(headers, 'content-length') === undefined) headers['Content-Length'] = Buffer.byteLength(body);
        }
      }
      if (method === 'GET' && payload !== undefined && paytoqs) {
        if (typeof payload !== 'object' || payload === null) {
          node.error('Invalid payload', msg);
          return done();
        }
        const query = toQueryString(payload as Record<string, string>);
        url += url.includes('?') ? (url.endsWith('?') ? '' : '&') + query : `?${query}`;
      } else if (method === 'GET' && payload !== undefined && paytobody) {
        if (typeof payload === 'string' || Buffer.isBuffer(payload)) body = payload;
        else if (typeof payload === 'number') body = String(payload);
        else if (typeof payload === 'object') body = JSON.stringify(payload);
      }

      let tlsOptions = tlsOptionsFrom(tlsNode);
      if (!tlsOptions && Object.prototype.hasOwnProperty.call(msg, 'rejectUnauthorized')) {
        const r = msg.rejectUnauthorized;
        if (typeof r === 'boolean') tlsOptions = { rejectUnauthorized: r };
        else if (typeof r === 'string' && /^(true|false)$/i.test(r)) tlsOptions = { rejectUnauthorized: r.toLowerCase() === 'true' };
        else node.warn('msg.rejectUnauthorized should be a boolean');
      }

      inFlight++;
      node.status({ fill: 'blue', shape: 'dot', text: 'requesting' });
      try {
        const res = await sendHttpRequest({
          url,
          method,
          headers,
          body,
          timeoutMs,
          followRedirects: Object.prototype.hasOwnProperty.call(msg, 'followRedirects') ? Boolean(msg.followRedirects) : true,
          tls: tlsOptions,
          proxy: proxyFor,
          insecureHTTPParser: config.insecureHTTPParser,
          digest,
          cookies,
          agents,
        });
        msg.statusCode = res.statusCode;
        const responseHeaders: Record<string, unknown> = { ...res.headers };
        msg.headers = responseHeaders;
        msg.responseUrl = res.url;
        msg.redirectList = res.redirectList;
        msg.retry = 0;
        if (res.headers['set-cookie']) msg.responseCookies = extractResponseCookies(res.headers['set-cookie']);
        responseHeaders[MARK_HEADER] = headersDigest({ ...res.headers });
        if (config.ret === 'bin') msg.payload = res.body;
        else {
          msg.payload = res.body.toString('utf8');
          if (config.ret === 'obj') {
            if (res.statusCode === 204) msg.payload = '{}';
            try {
              msg.payload = JSON.parse(msg.payload as string);
            } catch (err) {
              node.warn('JSON parse error');
              node.debug(String(err));
            }
          }
        }
        settle();
        send(msg);
        done();
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ETIMEDOUT') {
          node.error('no response from server', msg);
          node.status({ fill: 'red', shape: 'ring', text: 'no response from server' });
        } else {
          node.error(err, msg);
          node.status({ fill: 'red', shape: 'ring', text: code ?? 'error' });
        }
        msg.payload = `${String(err)} : ${url}`;
        msg.statusCode = code;
        inFlight--;
        // Node-RED 4 sends errors both to catch and on, unless senderr; non-2xx answers are not errors.
        if (!config.senderr) send(msg);
        done();
      }
    };

    return {
      onInput(msg, send, done) {
        handle(msg, (m) => send(m), done).catch(done);
      },
      onClose() {
        agents?.http.destroy();
        agents?.https.destroy();
        node.status({});
      },
    };
  },
});

