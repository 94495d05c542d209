/**
 * Which proxy a request goes through: the `http proxy` node's, else the `http_proxy` /
 * `https_proxy` environment variables (as Node-RED's proxy helper reads them), unless the host
 * is listed in `no_proxy` (exact host, host:port, a domain suffix such as `.example.com`, or `*`).
 */

export interface ProxyEnv {
  http_proxy?: string;
  https_proxy?: string;
  no_proxy?: string;
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
}

export function proxyEnvFromProcess(env: NodeJS.ProcessEnv): ProxyEnv {
  return { http_proxy: envValue(env, 'http_proxy'), https_proxy: envValue(env, 'https_proxy'), no_proxy: envValue(env, 'no_proxy') };
}

function bypasses(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const [rawHost, entryPort] = entry.toLowerCase().split(/:(?=\d+$)/) as [string, string | undefined];
      if (entryPort && entryPort !== port) return false;
      const bare = rawHost.replace(/^\*?\./, '');
      return host === bare || host.endsWith(`.${bare}`);
    });
}

/** The proxy URL for `url`, or undefined to connect directly. */
export function proxyForUrl(url: string, env: ProxyEnv): string | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch (err) {
    if (err instanceof TypeError) return undefined;
    throw err;
  }
  const proxy = target.protocol === 'https:' ? env.https_proxy || env.http_proxy : env.http_proxy;
  if (!proxy || bypasses(target, env.no_proxy)) return undefined;
  return proxy;
}
