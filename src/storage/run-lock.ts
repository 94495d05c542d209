/**
 * `<userDir>/.redoubt.lock`: the pid of the Redoubt running on a user directory. `redoubt start`
 * takes it; commands that rewrite files under a running runtime (history rollback, restore)
 * refuse while it is held by a live process. A lock left by a process that died is stale and
 * taken over.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { RedoubtError } from '../errors/index.js';
import { readTextIfPresent, unlinkIfPresent } from './optional-file.js';

export const RUN_LOCK_FILE = '.redoubt.lock';

export interface RunLock {
  readonly path: string;
  readonly pid: number;
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

export interface RunLockDeps {
  pid?: number;
  /** Whether a process with this pid exists; `process.kill(pid, 0)` by default. */
  isAlive?: (pid: number) => boolean;
}

export function runLockPath(userDir: string): string {
  return join(userDir, RUN_LOCK_FILE);
}

/**
 * Takes the run lock of a user directory; throws `already_running` when a live process holds it.
 *
 * @example
 * const lock = await acquireRunLock(userDir);
 * try { ...run... } finally { await lock.release(); }
 */
export async function acquireRunLock(userDir: string, deps: RunLockDeps = {}): Promise<RunLock> {
  const pid = deps.pid ?? process.pid;
  const isAlive = deps.isAlive ?? isProcessAlive;
  const path = runLockPath(userDir);
  // Two attempts: the second after clearing a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      try {
        await handle.writeFile(`${pid}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { path, pid, release: () => releaseIfOurs(path, pid) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new RedoubtError('lock_failed', `could not create ${path}: ${(err as Error).message}`, { cause: err, place: { file: path } });
      }
    }
    const holder = await readLockPid(path);
    if (holder !== undefined && holder !== pid && isAlive(holder)) {
      throw new RedoubtError('already_running', `Redoubt is already running on ${userDir} (pid ${holder}, lock file ${path})`, { place: { file: path } });
    }
    await unlinkIfPresent(path);
  }
  throw new RedoubtError('lock_failed', `could not take the lock ${path}: another process keeps creating it`, { place: { file: path } });
}

/** The live process holding the run lock, if any. */
export async function readRunLock(userDir: string, deps: Pick<RunLockDeps, 'isAlive'> = {}): Promise<{ pid: number } | undefined> {
  const pid = await readLockPid(runLockPath(userDir));
  if (pid === undefined) return undefined;
  return (deps.isAlive ?? isProcessAlive)(pid) ? { pid } : undefined;
}

async function readLockPid(path: string): Promise<number | undefined> {
  const text = await readTextIfPresent(path);
  if (text === undefined) return undefined;
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function releaseIfOurs(path: string, pid: number): Promise<void> {
  if ((await readLockPid(path)) === pid) await unlinkIfPresent(path);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which still means the directory is in use.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
