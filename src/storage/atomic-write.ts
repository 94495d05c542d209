/**
 * Atomic file replacement: the data goes to a temporary file in the target's directory, is
 * flushed to the disk, renamed over the target, and the directory entry is flushed too. A reader
 * sees the old file or the new one, never a half-written one, and a failure at any step leaves
 * the old file as it was.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RedoubtError } from '../errors/index.js';

/** The file-system calls an atomic write makes; tests inject failures through this. */
export interface AtomicFs {
  open: typeof fsp.open;
  rename: typeof fsp.rename;
  unlink: typeof fsp.unlink;
}

export interface AtomicWriteOptions {
  /** File mode of the new file, e.g. 0o600 for secrets. Default 0o644 (before umask). */
  mode?: number;
  fs?: AtomicFs;
}

const nodeFs: AtomicFs = { open: fsp.open, rename: fsp.rename, unlink: fsp.unlink };

/**
 * Replaces `path` with `data` atomically.
 *
 * @example
 * await writeFileAtomic('/home/me/.redoubt/flows.json', JSON.stringify(flows), { mode: 0o600 });
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const fs = options.fs ?? nodeFs;
  const mode = options.mode ?? 0o644;
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // 'wx': never follow or reuse something already sitting at the temporary name.
    const handle = await fs.open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      // The mode given to open is masked by the umask; a secret must end up exactly as asked.
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (err) {
    const leftover = await removeTemp(fs, temp);
    throw new RedoubtError('write_failed', `could not write ${path}: ${(err as Error).message}${leftover}`, { cause: err, place: { file: path } });
  }
  await syncDirectory(fs, dir);
}

/** Removes the temporary file after a failure; returns a note for the error message when it cannot. */
async function removeTemp(fs: AtomicFs, temp: string): Promise<string> {
  try {
    await fs.unlink(temp);
    return '';
  } catch (err) {
    // The temporary file may never have been created.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    return ` (and the temporary file ${temp} could not be removed: ${(err as Error).message})`;
  }
}

/** Flushes the directory entry so the rename survives a power cut. */
async function syncDirectory(fs: AtomicFs, dir: string): Promise<void> {
  let handle: fsp.FileHandle;
  try {
    handle = await fs.open(dir, 'r');
  } catch (err) {
    // Some platforms (Windows) cannot open a directory; the rename itself is still atomic there.
    if (isUnsupported(err)) return;
    throw err;
  }
  try {
    await handle.sync();
  } catch (err) {
    if (!isUnsupported(err)) throw err;
  } finally {
    await handle.close();
  }
}

function isUnsupported(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'EACCES';
}
