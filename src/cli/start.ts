/**
 * `redoubt start`: loads the settings of a user directory, runs its flows and serves the admin
 * API, the comms websocket and the http-in endpoints on `host:port` (loopback by default) until
 * SIGINT or SIGTERM; then stops gracefully: no new connections, websockets closed, flows closed,
 * context flushed, database closed, run lock released. With no users yet it prints a one-time
 * setup link for creating the first admin; there is no default password.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedoubt, type LogEntry } from '../index.js';
import { installProcessGuard } from '../runtime/engine/node-scope.js';
import { RedoubtError } from '../errors/index.js';
import { createVault } from '../security/credential-vault.js';
import { openDatabase } from '../storage/database.js';
import { createNodeSetsStore } from '../storage/node-sets-store.js';
import { acquireRunLock } from '../storage/run-lock.js';
import { parseSize } from '../server/http/read-body.js';
import { normaliseRoot } from '../server/app.js';
import { startRedoubtServer } from '../server/redoubt-server.js';
import { createSecurityStack } from '../server/security-stack.js';
import { createFileFlowsStorage } from '../server/services/file-flows-storage.js';
import { loadSettingsFile } from './settings-file.js';
import { startScheduledBackups } from './scheduled-backups.js';
import { applyProfileAtStart } from './profile-start.js';
import { loginOptionsFor, type ProfileName } from '../security/profiles/index.js';
import { createTlsReloader } from '../security/tls/index.js';

export interface StartOptions {
  userDir: string;
  configPath?: string;
  /** Overrides the `port` setting (`--port`); 0 picks a free port. */
  port?: number;
  /** Overrides the `profile` setting (`--profile`). */
  profile?: ProfileName;
  /** Where log lines go; stderr by default. */
  write?: (line: string) => void;
  /** Read for secrets such as `REDOUBT_CREDENTIAL_KEY`; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface Started {
  /** The admin root's URL, e.g. `http://127.0.0.1:1880/`. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export async function startRedoubt(options: StartOptions): Promise<Started> {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const userDir = resolve(options.userDir);
  const settings = await loadSettingsFile(options.configPath ?? join(userDir, 'redoubt.yaml'));
  const apiMaxLength = parseSize(settings.apiMaxLength, 'apiMaxLength');
  const adminRoot = normaliseRoot(settings.httpAdminRoot, 'httpAdminRoot');
  // A first start makes its directory, as Node-RED does; owner-only, since it will hold the
  // credentials, the user database and the keys. An existing directory is left as it is.
  try {
    await mkdir(userDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new RedoubtError('user_dir_failed', `cannot create the user directory ${userDir}: ${(err as Error).message}`, { cause: err });
  }
  const lock = await acquireRunLock(userDir);
  const cleanups: Array<() => Promise<void> | void> = [() => lock.release()];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  let url = '';
  let port = 0;
  try {
    const log = (entry: LogEntry) => write(formatLog(entry));
    const db = openDatabase(join(userDir, 'redoubt.db'));
    cleanups.push(() => void db.close());
    const runtime = await createRedoubt({ userDir, settings, log });
    cleanups.push(() => runtime.stop());
    const guard = installProcessGuard([runtime.engine.scope], (err) => {
      write(formatLog({ level: 'fatal', msg: err }));
      process.exitCode = 1;
      void stop().finally(() => process.exit(1));
    });
    cleanups.push(() => guard.uninstall());
    const clock = { now: Date.now };
    const stack = createSecurityStack(
      db,
      {
        sessions: { absoluteTtlMs: settings.sessionExpiryHours * 3_600_000, idleTimeoutMs: settings.sessionIdleMinutes * 60_000 },
        login: loginOptionsFor(options.profile ?? settings.profile, { maxFailures: settings.loginMaxFailures, lockoutMs: settings.loginLockoutMinutes * 60_000 }),
        passwordMinLength: settings.passwordMinLength,
        secondFactorKeyFile: join(userDir, 'second-factor.key'),
      },
      { clock },
    );
    const profile = await applyProfileAtStart(settings, { userDir, profile: options.profile }, {
      audit: stack.audit,
      users: stack.users,
      adminsWithoutSecondFactor: stack.secondFactor && (() => stack.secondFactor!.adminsWithoutSecondFactor()),
    });
    for (const warning of profile.warnings) write(formatLog({ level: 'warn', msg: `profile '${profile.profile}': ${warning}` }));
    const vault = createVault({ userDir, env: options.env ?? process.env });
    const flowsPath = join(userDir, settings.flowFile);
    const server = await startRedoubtServer(
      {
        host: settings.host,
        port: options.port ?? settings.port,
        httpAdminRoot: settings.httpAdminRoot,
        httpNodeRoot: settings.httpNodeRoot,
        apiMaxLength,
        editorDir: join(REPO_ROOT, 'editor'),
        version: await packageVersion(),
        debugMaxLength: settings.debugMaxLength,
        network: { trustProxy: settings.trustProxy, ipAllowList: settings.ipAllowList },
        tls: profile.tls,
        httpsRedirectPort: settings.https?.redirectHttpPort,
        hstsMaxAgeSeconds: settings.https?.hstsMaxAge,
      },
      { runtime, auth: stack.auth, audit: stack.audit, nodeSets: createNodeSetsStore(db), storage: createFileFlowsStorage({ flowsPath, pretty: settings.flowFilePretty }, { vault }), history: stack.history, secondFactor: stack.secondFactor, log, warnings: () => profile.warnings },
    );
    cleanups.push(() => server.close());
    if (profile.tlsFiles) {
      const reloader = await createTlsReloader(profile.tlsFiles, { onReload: (material) => server.http.setSecureContext(material), log: (level, msg) => log({ level, msg }) });
      cleanups.push(() => reloader.close());
    }
    const backups = startScheduledBackups(
      { userDir, settings, settingsFile: options.configPath ?? join(userDir, 'redoubt.yaml'), env: options.env ?? process.env, redoubtVersion: await packageVersion() },
      { db, audit: stack.audit, clock, log },
    );
    cleanups.push(() => backups.stop());
    url = server.adminUrl;
    port = server.port;
    write(formatLog({ level: 'info', msg: `Redoubt running flows from ${flowsPath}` }));
    write(formatLog({ level: 'info', msg: `Serving the admin API at ${server.adminUrl}` }));
    if (stack.users.count() === 0) {
      const { token, expiresAt } = stack.setupToken.issue();
      // The token goes to the console only; the fragment (#) keeps it out of server and proxy logs.
      write(`\nNo users yet. Create the admin account within ${Math.round((expiresAt - clock.now()) / 60_000)} minutes, from this machine:\n  ${profile.tls ? 'https' : 'http'}://127.0.0.1:${server.port}${adminRoot}setup#${token}\n`);
    }
  } catch (err) {
    await runCleanups();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= runCleanups();
    return stopping;
  };
  return { url, port, stop };
}

export function formatLog(entry: LogEntry): string {
  const who = entry.type ? `[${entry.type}:${entry.name || entry.id}] ` : '';
  const msg = entry.msg;
  const text = msg instanceof RedoubtError ? `${msg.message} (${msg.code})` : msg instanceof Error ? msg.message : typeof msg === 'string' ? msg : JSON.stringify(msg);
  return `${new Date().toISOString()} [${entry.level}] ${who}${text}`;
}
