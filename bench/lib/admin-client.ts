/**
 * The few Admin API calls the benchmark makes, the same way on both runtimes: log in with the
 * OAuth2 password grant node-red-admin uses, deploy with `POST /flows` (API v2 and a deployment
 * type), read JSON, and poll an http-in path until it answers. Loopback only.
 */

export type DeploymentType = 'full' | 'nodes' | 'flows';

export interface AdminClient {
  readonly baseUrl: string;
  /** Logs in and keeps the token for the calls after it; resolves to the round trip in ms. */
  login(username: string, password: string): Promise<number>;
  /** `POST /flows`; resolves when the response arrives (Node-RED answers before its flows have started). */
  deploy(flows: unknown[], type: DeploymentType, timeoutMs: number): Promise<{ ms: number; rev: string }>;
  getJson(path: string, timeoutMs?: number): Promise<{ status: number; body: unknown }>;
  /** Polls GET `path` (no token: http-in endpoints are open) until it answers 200; resolves to its body. */
  waitFor(path: string, timeoutMs: number, intervalMs?: number): Promise<string>;
  /** One GET without the token; the status, or null when nothing answered (not listening yet). */
  probe(path: string): Promise<number | null>;
}

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A refused connection means "not listening yet"; anything else is a real failure. */
function notListening(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } } | null)?.cause;
  return cause?.code === 'ECONNREFUSED' || cause?.code === 'ECONNRESET';
}

export function createAdminClient(baseUrl: string): AdminClient {
  const root = baseUrl.replace(/\/+$/, '');
  let token: string | undefined;
  const authHeader = (): Record<string, string> => (token ? { Authorization: `Bearer ${token}` } : {});

  const call = async (method: string, path: string, init: { body?: string; headers?: Record<string, string>; timeoutMs?: number; auth?: boolean }): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${root}${path}`, {
      method,
      body: init.body,
      headers: { ...(init.auth === false ? {} : authHeader()), ...init.headers },
      signal: AbortSignal.timeout(init.timeoutMs ?? 30000),
    });
    return { status: res.status, text: await res.text() };
  };

  return {
    baseUrl: root,
    async login(username, password) {
      const t0 = performance.now();
      const body = JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username, password });
      const res = await call('POST', '/auth/token', { body, headers: { 'Content-Type': 'application/json' }, auth: false });
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new AdminApiError(res.status, `login failed: ${res.status} ${res.text.slice(0, 200)}`);
      const parsed = JSON.parse(res.text) as { access_token?: unknown };
      if (typeof parsed.access_token !== 'string') throw new AdminApiError(res.status, 'login answered without an access_token');
      token = parsed.access_token;
      return ms;
    },
    async deploy(flows, type, timeoutMs) {
      const body = JSON.stringify({ flows });
      const t0 = performance.now();
      const res = await call('POST', '/flows', {
        body,
        timeoutMs,
        headers: { 'Content-Type': 'application/json', 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': type },
      });
      const ms = performance.now() - t0;
      if (res.status !== 200 && res.status !== 204) throw new AdminApiError(res.status, `POST /flows (${type}) answered ${res.status}: ${res.text.slice(0, 500)}`);
      const rev = res.text ? String((JSON.parse(res.text) as { rev?: unknown }).rev ?? '') : '';
      return { ms, rev };
    },
    async getJson(path, timeoutMs) {
      const res = await call('GET', path, { timeoutMs });
      return { status: res.status, body: res.text ? (JSON.parse(res.text) as unknown) : null };
    },
    async waitFor(path, timeoutMs, intervalMs = 10) {
      const end = Date.now() + timeoutMs;
      let last = 'no answer';
      while (Date.now() < end) {
        try {
          const res = await call('GET', path, { auth: false, timeoutMs: Math.max(1000, end - Date.now()) });
          if (res.status === 200) return res.text;
          last = `status ${res.status}`;
        } catch (err) {
          if (!notListening(err)) throw err;
        }
        await sleep(intervalMs);
      }
      throw new Error(`GET ${path} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
    },
    async probe(path) {
      try {
        return (await call('GET', path, { auth: false, timeoutMs: 5000 })).status;
      } catch (err) {
        if (notListening(err)) return null;
        throw err;
      }
    },
  };
}
