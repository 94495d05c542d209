/**
 * Files that may not be there yet: a missing file is an answer (undefined, or nothing to remove),
 * any other failure is an error naming the file.
 */
import { readFile, unlink } from 'node:fs/promises';
import { RedoubtError } from '../errors/index.js';

/**
 * The UTF-8 text of `path`, or undefined when there is no such file. Other failures (a
 * directory, no permission) are `read_failed` errors naming the file.
 *
 * @example
 * const yaml = await readTextIfPresent(join(userDir, 'redoubt.yaml'));
 */
export async function readTextIfPresent(path: string): Promise<string | undefined> {
  const bytes = await readBytesIfPresent(path);
  return bytes === undefined ? undefined : bytes.toString('utf8');
}

/**
 * The bytes of `path`, or undefined when there is no such file; other failures as for
 * `readTextIfPresent`.
 *
 * @example
 * const cred = await readBytesIfPresent(join(userDir, 'flows.cred'));
 */
export async function readBytesIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RedoubtError('read_failed', `could not read ${path}: ${(err as Error).message}`, { cause: err, place: { file: path } });
  }
}

/** Removes `path`; a file already gone is not an error, any other failure is thrown as it came. */
export async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
