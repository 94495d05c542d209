/**
 * `http proxy`: the proxy server an `http request` (or a contrib node) goes through, with
 * hosts that bypass it. The node carries `url` and `noproxy` on itself, as Node-RED's does.
 */
import { defineNode, json, string, type NodeApi } from '../../runtime/definition/index.js';

export interface ProxyConfig {
  url: string;
  noproxy: string[];
  username?: string;
  password?: string;
}

/** The settings of an `http proxy` node, or undefined when `node` is not one. */
export function proxyConfigFrom(node: NodeApi | undefined): ProxyConfig | undefined {
  const carried = node as (NodeApi & { url?: unknown; noproxy?: unknown }) | undefined;
  if (!carried || typeof carried.url !== 'string') return undefined;
  const creds = carried.credentials as { username?: string; password?: string };
  return {
    url: carried.url,
    noproxy: Array.isArray(carried.noproxy) ? carried.noproxy.map(String) : [],
    username: creds.username,
    password: creds.password,
  };
}

export const httpProxyNode = defineNode({
  type: 'http proxy',
  category: 'config',
  isConfig: true,
  inputs: 0,
  outputs: 0,
  properties: {
    // The editor checks for an http(s):// URL; the runtime accepts what is saved, as Node-RED does.
    url: string({ default: '', label: 'URL' }),
    noproxy: json<string[]>({ default: [], check: (v) => (Array.isArray(v) ? undefined : 'must be a list of host names') }),
  },
  credentials: {
    username: { type: 'text' },
    password: { type: 'password' },
  },
  create(config, node) {
    Object.assign(node, { url: config.url, noproxy: config.noproxy });
  },
});
