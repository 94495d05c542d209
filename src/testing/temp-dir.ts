/**
 * Temporary directories for tests (imported by *.test.ts and test kits only), removed however
 * the test ends. Test-only support shared by every layer, so it imports nothing from them.
 */
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `run` in a new directory under the system's temporary one, named `<prefix><random>`, and
 * removes the directory afterwards, whether `run` passed or not.
 *
 * @example
 * await inTempDir('redoubt-lock-', async (dir) => {
 *   const lock = await acquireRunLock(dir);
 *   // ...
 * });
 */
export async function inTempDir<T>(prefix: string, run: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TempDir {
  /** The directory, made before the file's first test and removed after its last. */
  readonly path: string;
  /** A path in it that no other call has returned: `<n>-<name>`. */
  fresh(name: string): string;
}

/**
 * One temporary directory for all the tests of a file. Call it at the top of the file: it
 * registers the `before` and `after` hooks that make and remove the directory.
 */
export function useTempDir(prefix: string): TempDir {
  let path: string | undefined;
  let seq = 0;
  before(async () => {
    path = await mkdtemp(join(tmpdir(), prefix));
  });
  after(() => (path ? rm(path, { recursive: true, force: true }) : undefined));
  const made = () => {
    if (!path) throw new Error('useTempDir: the directory is made in a before hook; use it inside tests');
    return path;
  };
  return {
    get path() {
      return made();
    },
    fresh: (name) => join(made(), `${++seq}-${name}`),
  };
}
