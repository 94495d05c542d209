import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { clockTicks } from './proc-stat.js';
import { bcryptHashOf, benchCredentials, prepareFloor, prepareServer, REDOUBT_MAIN, redoubtHasAllowList, type Credentials } from './server-setup.js';
import { RuntimeUnavailable, startServer, type FloorKind, type RuntimeKind, type ServerChild, type ServerKind } from './server-child.js';

export interface RuntimeSetup {
  root: string;
  nodeRedPackageDir: string;
  ticksPerSecond: number;
  credentials: Credentials;
  /** bcrypt hash of the password, for Node-RED's adminAuth. */
  bcryptHash: string;
  /** Put loopback allow-lists in Redoubt's redoubt.yaml (when its build knows the setting). */
  allowList: boolean;
}

/** The setup every driver uses: fresh credentials, Node-RED from `nodeRedPackageDir`, this machine's clock ticks. */
export function runtimeSetup(root: string, nodeRedPackageDir: string): RuntimeSetup {
  const credentials = benchCredentials();
  return { root, nodeRedPackageDir, ticksPerSecond: clockTicks(), credentials, bcryptHash: bcryptHashOf(credentials.password), allowList: redoubtHasAllowList(root) };
}

/**
 * Starts one runtime as a server in its own child process, on a fresh user directory and a free
 * loopback port, logged in. Redoubt runs its bundle (dist/bundle/), as `npm start` runs it.
 */
export async function launch(kind: RuntimeKind, setup: RuntimeSetup, readyTimeoutMs = 120000): Promise<ServerChild> {
  if (kind === 'redoubt' && !existsSync(join(setup.root, ...REDOUBT_MAIN))) {
    throw new RuntimeUnavailable('redoubt', `${REDOUBT_MAIN.join('/')} does not exist (npm run build)`);
  }
  // BENCH_NODE_ARGS adds node flags to both children, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeFlags = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const port = await freePort();
  const prepared = prepareServer(kind, { root: setup.root, nodeRedPackageDir: setup.nodeRedPackageDir, port, credentials: setup.credentials, bcryptHash: setup.bcryptHash, allowList: setup.allowList });
  return startPrepared(kind, prepared, port, nodeFlags, setup, readyTimeoutMs);
}

/** One child, as the harness starts every server: --expose-gc and the memory preload, cwd the repository. */
function startPrepared(kind: ServerKind, prepared: { userDir: string; args: string[] }, port: number, nodeFlags: string[], setup: RuntimeSetup, readyTimeoutMs: number): Promise<ServerChild> {
  return startServer({
    kind,
    args: prepared.args,
    nodeFlags,
    preload: join(setup.root, 'bench', 'drivers', 'gc-preload.cjs'),
    cwd: setup.root,
    port,
    userDir: prepared.userDir,
    credentials: setup.credentials,
    ticksPerSecond: setup.ticksPerSecond,
    readyTimeoutMs,
  });
}

/**
 * Starts a floor server (drivers/floor-server.mjs) the way launch() starts a runtime, so that its
 * idle memory is read through the same preload after the same login.
 */
export async function launchFloor(kind: FloorKind, setup: RuntimeSetup, readyTimeoutMs = 60000): Promise<ServerChild> {
  const port = await freePort();
  const prepared = prepareFloor(kind, { root: setup.root, port, credentials: setup.credentials });
  return startPrepared(kind, prepared, port, [], setup, readyTimeoutMs);
}

/** Alternates which runtime goes first from round to round, so neither always runs on a warmer machine. */
export function orderFor(round: number, kinds: RuntimeKind[]): RuntimeKind[] {
  return round % 2 === 0 ? kinds : [...kinds].reverse();
}
