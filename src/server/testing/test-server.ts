/**
 * A real Redoubt server for tests: the runtime, the security stack on an in-memory database, flows
 * and credentials in a temporary user directory, listening on 127.0.0.1 port 0, with one user per
 * role already logged in.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedoubt, type Redoubt } from '../../index.js';
import { createVault } from '../../security/credential-vault.js';
import { ROLES, type Role } from '../../security/index.js';
import { openDatabase } from '../../storage/database.js';
import { createNodeSetsStore } from '../../storage/node-sets-store.js';
import { startRedoubtServer, type RedoubtServer, type RedoubtServerOptions } from '../redoubt-server.js';
import { createSecurityStack, type SecurityStack, type SecurityStackOptions } from '../security-stack.js';
import { createFileFlowsStorage } from '../services/file-flows-storage.js';
import type { FlowsStorage } from '../services/types.js';

export const TEST_PASSWORD = 'correct horse battery staple 7';

export interface TestServer {
  url: string;
  port: number;
  userDir: string;
  server: RedoubtServer;
  runtime: Redoubt;
  stack: SecurityStack;
  tokens: Record<Role, string>;
  /** Every log message of the runtime and the server, in order. */
  logs: string[];
  /** A request with a JSON body (or raw string) and the bearer token of `role`. */
  call(method: string, path: string, options?: { role?: Role; token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

/** One HTTP request with node:http, so the path is sent exactly as written (no normalisation). */
export function rawRequest(port: number, method: string, path: string, headers: Record<string, string>, body?: string, localAddress?: string): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

export interface TestServerOptions extends Partial<RedoubtServerOptions> {
  storage?: (userDir: string) => FlowsStorage;
  withUsers?: boolean;
  security?: SecurityStackOptions;
  /** Written to `flows.json` before the server starts, as flows stored by an earlier run. */
  flows?: unknown[];
  /** Node sets (`module/set`) stored as disabled before the server starts. */
  disabledSets?: string[];
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { storage: makeStorage, withUsers, security, flows, disabledSets, ...serverOptions } = options;
  const userDir = await mkdtemp(join(tmpdir(), 'redoubt-server-'));
  if (flows) await writeFile(join(userDir, 'flows.json'), JSON.stringify(flows));
  const logs: string[] = [];
  const runtime = await createRedoubt({ userDir, log: (e) => void logs.push(String(e.msg)) });
  const db = openDatabase(':memory:');
  const stack = createSecurityStack(db, security ?? {}, { clock: { now: Date.now } });
  const vault = createVault({ userDir, env: { REDOUBT_CREDENTIAL_KEY: 'a test passphrase that is long' }, scryptCost: 2 ** 10 });
  const storage = makeStorage?.(userDir) ?? createFileFlowsStorage({ flowsPath: join(userDir, 'flows.json') }, { vault });
  const nodeSets = createNodeSetsStore(db);
  if (disabledSets) nodeSets.setDisabled(disabledSets, true, { username: 'test', at: 0 });
  const server = await startRedoubtServer(
    { host: '127.0.0.1', port: 0, httpAdminRoot: '/', httpNodeRoot: '/', apiMaxLength: 5 * 1024 * 1024, editorDir: join(userDir, 'editor'), version: '0.0.0-test', ...serverOptions },
    { runtime, auth: stack.auth, audit: stack.audit, nodeSets, storage, history: stack.history, secondFactor: stack.secondFactor, log: (e) => void logs.push(String(e.msg)) },
  );
  const tokens = {} as Record<Role, string>;
  if (withUsers !== false) {
    for (const role of ROLES) {
      await stack.auth.createUser({ username: role, password: TEST_PASSWORD, role, by: 'test' });
      const result = await stack.auth.login({ username: role, password: TEST_PASSWORD, address: '127.0.0.1' });
      if (!result.ok) throw new Error(`login of ${role} failed`);
      tokens[role] = result.token;
    }
  }
  const port = server.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    userDir,
    server,
    runtime,
    stack,
    tokens,
    logs,
    call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const token = opts.token ?? (opts.role ? tokens[opts.role] : undefined);
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      return rawRequest(port, method, path, headers, body);
    },
    async close() {
      await server.close();
      await runtime.stop();
    },
  };
}
