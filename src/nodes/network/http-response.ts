/**
 * `http response`: answers the request of the `http in` node a message came from, through
 * `msg.res._res`. Status: the node's, else `msg.statusCode`, else 200. Headers: the node's,
 * then `msg.headers` where the node sets none. `msg.cookies` sets cookies (a value, or an object
 * with `value` and cookie options) or clears them (`null`, or `value: null`). An object payload
 * is sent as JSON; a string, number or Buffer as it is.
 */
import type { HttpNodeResponse } from '../../runtime/definition/http-endpoints.js';
import { defineNode, json, string } from '../../runtime/definition/index.js';
import { cloneValueDeep } from '../../runtime/properties/index.js';
import { intendedHeaders } from './headers-mark.js';

function responseOf(res: unknown): HttpNodeResponse | undefined {
  const inner = (res as { _res?: unknown } | null | undefined)?._res;
  return inner && typeof inner === 'object' ? (inner as HttpNodeResponse) : undefined;
}

function setCookies(res: HttpNodeResponse, cookies: Record<string, unknown>): void {
  for (const [name, cookie] of Object.entries(cookies)) {
    if (cookie === null) res.clearCookie(name);
    else if (typeof cookie === 'object') {
      const options = { ...(cookie as Record<string, unknown>) };
      const value = options.value;
      delete options.value;
      if (value === null) res.clearCookie(name, options);
      else res.cookie(name, value, options);
    } else res.cookie(name, cookie);
  }
}

function contentLength(payload: unknown): number | undefined {
  if (payload === null || payload === undefined) return 0;
  if (Buffer.isBuffer(payload)) return payload.length;
  if (typeof payload === 'string' || typeof payload === 'number') return Buffer.byteLength(String(payload));
  return undefined;
}

export const httpResponseNode = defineNode({
  type: 'http response',
  category: 'network',
  inputs: 1,
  outputs: 0,
  properties: {
    // Saved as a string; Node-RED parses it per message and falls back when it is not a number.
    statusCode: string({ default: '', label: 'Status code' }),
    headers: json<Record<string, unknown>>({ default: {}, check: (v) => (typeof v === 'object' && !Array.isArray(v) ? undefined : 'must be an object of header names and values') }),
  },
  editor: { color: 'rgb(231, 231, 174)', icon: 'white-globe.svg', align: 'right' },
  create(config, node) {
    const fixedStatus = Number.parseInt(config.statusCode, 10);
    return {
      onInput(msg, _send, done) {
        const res = responseOf(msg.res);
        if (!res) {
          node.warn('No response object');
          return done();
        }
        try {
          const headers = cloneValueDeep(config.headers) as Record<string, unknown>;
          const extra = intendedHeaders(msg.headers);
          if (extra === undefined) delete msg.headers;
          else for (const [name, value] of Object.entries(extra)) if (!Object.prototype.hasOwnProperty.call(headers, name)) headers[name] = value;
          if (Object.keys(headers).length > 0) res.set(headers);
          if (msg.cookies && typeof msg.cookies === 'object') setCookies(res, msg.cookies as Record<string, unknown>);
          const status = fixedStatus || Number.parseInt(String(msg.statusCode), 10) || 200;
          const payload = msg.payload;
          if (typeof payload === 'object' && !Buffer.isBuffer(payload)) {
            res.status(status).jsonp(payload);
          } else {
            const length = contentLength(payload);
            if (res.get('content-length') == null && length !== undefined) res.set('content-length', String(length));
            if (typeof payload === 'number') msg.payload = String(payload);
            res.status(status).send(msg.payload);
          }
          done();
        } catch (err) {
          done(err);
        }
      },
    };
  },
});
