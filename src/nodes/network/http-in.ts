/**
 * `http in`: an HTTP endpoint under `httpNodeRoot`. Each request becomes a message with
 * `msg.req` (the request: params, query, headers, cookies, body, files), `msg.res` (a wrapper
 * whose `_res` is the response the `http response` node answers through) and `msg.payload`
 * (the query for GET, the parsed body otherwise). The endpoint is removed when the node closes.
 */
import { defineNode } from '../../runtime/definition/index.js';
import type { HttpNodeMethod, HttpNodeResponse } from '../../runtime/definition/http-endpoints.js';
import type { NodeApi } from '../../runtime/definition/node-api.js';
import { boolean, select, string } from '../../runtime/definition/property-kinds.js';
import { generateId } from '../../runtime/properties/index.js';
import type { Msg } from '../../runtime/types.js';

const METHODS: readonly HttpNodeMethod[] = ['get', 'post', 'put', 'delete', 'patch'];

// The Express response methods Node-RED's wrapper exposes; flows should use `http response`.
const WRAPPED = [
  'append', 'attachment', 'cookie', 'clearCookie', 'download', 'end', 'format', 'get', 'json', 'jsonp', 'links',
  'location', 'redirect', 'render', 'send', 'sendfile', 'sendFile', 'sendStatus', 'set', 'status', 'type', 'vary',
] as const;

export interface ResponseWrapper {
  readonly _res: HttpNodeResponse;
  [method: string]: unknown;
}

/** Node-RED's `createResponseWrapper`: `_res` for nodes, and the old direct calls, each with a deprecation warning. */
export function createResponseWrapper(node: NodeApi, res: HttpNodeResponse): ResponseWrapper {
  const wrapper: ResponseWrapper = { _res: res };
  const target = res as unknown as Record<string, unknown>;
  for (const name of WRAPPED) {
    wrapper[name] = (...args: unknown[]) => {
      node.warn(`Deprecated call to msg.res.${name}`);
      const fn = target[name];
      if (typeof fn !== 'function') return undefined;
      const result = fn.apply(res, args);
      return result === res ? wrapper : result;
    };
  }
  return wrapper;
}

export const httpInNode = defineNode({
  type: 'http in',
  category: 'network',
  inputs: 0,
  outputs: 1,
  properties: {
    url: string({ default: '', label: 'URL' }),
    // Node-RED registers no route for an unknown method rather than failing the deploy.
    method: select(['get', 'post', 'put', 'delete', 'patch'], { default: 'get', lenient: true, label: 'Method' }),
    upload: boolean({ default: false, label: 'Accept file uploads' }),
    skipBodyParsing: boolean({ default: false, label: 'Do not parse request body' }),
    // A swagger-doc config node reference (node-red-node-swagger); not used by the runtime.
    swaggerDoc: string({ default: '' }),
  },
  editor: { color: 'rgb(231, 231, 174)', icon: 'white-globe.svg' },
  create(config, node) {
    const http = node.runtime.http;
    if (!http) {
      node.warn('Cannot create http-in node when httpNodeRoot set to false');
      return;
    }
    if (!config.url) {
      node.warn('missing path');
      return;
    }
    const method = config.method as HttpNodeMethod;
    if (!METHODS.includes(method)) {
      node.warn(`unsupported method '${config.method}': endpoint not created`);
      return;
    }
    const url = config.url.startsWith('/') ? config.url : `/${config.url}`;
    const unregister = http.route(
      method,
      url,
      (req, res) => {
        const msgid = generateId();
        (res as unknown as { _msgid?: string })._msgid = msgid;
        // Node's lazily computed headers are not enumerable; make them so, for the debug sidebar.
        Object.defineProperty(req, 'headers', { value: req.headers, enumerable: true, configurable: true });
        const msg: Msg = { _msgid: msgid, req, res: createResponseWrapper(node, res) };
        msg.payload = method === 'get' ? req.query : req.body;
        node.send(msg);
      },
      { upload: config.upload, skipBodyParsing: config.skipBodyParsing, onError: (err) => node.warn(err) },
    );
    return {
      onClose() {
        unregister();
      },
    };
  },
});
