/**
 * `flows.json` on disk, in Node-RED's format: a JSON array of node configurations, compact or
 * indented by four spaces (`flowFilePretty`). Each write keeps the previous file as
 * `.flows.json.backup` beside it, as Node-RED does, and replaces the file atomically.
 */
import { copyFile, link, lstat, readFile, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RedoubtError } from '../errors/index.js';
import { writeFileAtomic, type AtomicFs } from './atomic-write.js';

export interface WriteFlowsOptions {
  /** Node-RED's `flowFilePretty`: four-space indentation instead of one line. */
  pretty?: boolean;
  /**
   * `serialiseFlows(flows, { pretty })` as UTF-8, when the caller has it already (a deploy
   * serialises its flows once for the file, the rev and the history): written as it is.
   */
  json?: Uint8Array;
  /** File-system calls, for tests injecting failures; `link` makes the backup. */
  fs?: AtomicFs & { link?: typeof link };
}

/** Node-RED's backup name: `.` + file name + `.backup`, in the same directory. */
export function flowsBackupPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.backup`);
}

/** The flows as a flows file holds them: compact, or indented by four spaces (`pretty`). */
export function serialiseFlows(flows: readonly unknown[], options: { pretty?: boolean } = {}): string {
  return options.pretty ? JSON.stringify(flows, null, 4) : JSON.stringify(flows);
}

/**
 * Reads a flows file; a missing or empty file is an empty flow set.
 *
 * @example
 * const flows = await readFlowsFile(join(userDir, 'flows.json'));
 */
export async function readFlowsFile(path: string): Promise<unknown[]> {
  return (await readFlowsFileText(path)).flows;
}

/** `readFlowsFile`, with the file's bytes as read (none for a missing file). */
export async function readFlowsFileText(path: string): Promise<{ flows: unknown[]; text?: Buffer }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { flows: [] };
    throw new RedoubtError('read_failed', `could not read ${path}: ${(err as Error).message}`, { cause: err, place: { file: path } });
  }
  return { flows: parseFlowsText(bytes.toString('utf8'), path), text: bytes };
}

function parseFlowsText(text: string, path: string): unknown[] {
  if (text.trim() === '') return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RedoubtError('flows_file_invalid', `${path} is not valid JSON: ${(err as Error).message}`, { cause: err, place: { file: path } });
  }
  // Some tools save `{ flows, rev }` (the Admin API v2 shape); accept it as Node-RED's loader does not, but harmlessly.
  if (data !== null && typeof data === 'object' && !Array.isArray(data) && Array.isArray((data as { flows?: unknown }).flows)) {
    return (data as { flows: unknown[] }).flows;
  }
  if (!Array.isArray(data)) {
    throw new RedoubtError('flows_file_invalid', `${path} must hold a JSON array of nodes`, { place: { file: path } });
  }
  return data;
}

/**
 * Saves flows atomically, first copying the current file to its backup. Resolves to whether there
 * was a file to back up, which is what `restoreFlowsFile` needs to undo this write.
 *
 * @example
 * await writeFlowsFile(join(userDir, 'flows.json'), flows, { pretty: settings.flowFilePretty });
 */
export async function writeFlowsFile(path: string, flows: readonly unknown[], options: WriteFlowsOptions = {}): Promise<{ backedUp: boolean }> {
  if (!Array.isArray(flows)) throw new RedoubtError('flows_file_invalid', 'flows to save must be an array');
  const text = options.json ?? serialiseFlows(flows, options);
  let backedUp = true;
  try {
    await backUp(path, flowsBackupPath(path), options.fs?.link ?? link);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new RedoubtError('write_failed', `could not back up ${path}: ${(err as Error).message}`, { cause: err, place: { file: path } });
    }
    backedUp = false;
  }
  await writeFileAtomic(path, text, { fs: options.fs });
  return { backedUp };
}

/** Errors of `link` that mean the file system has no hard links here, not that something is wrong. */
const NO_HARD_LINKS = new Set(['EPERM', 'EXDEV', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EACCES']);

/**
 * Makes `backup` hold what `path` holds now. The new file is written to a temporary name and
 * renamed over `path`, so the current file's data is never written to again: a second name for
 * it (a hard link) is the copy, made in one directory operation instead of reading and writing
 * the whole file (10 MB for 20,000 nodes) on every deploy. Where hard links are refused (FAT,
 * some network and FUSE file systems), and for a `path` that is not a plain file (a symlink
 * would be linked, not its content), the data is copied as before. Throws ENOENT when there is no
 * file to back up.
 */
async function backUp(path: string, backup: string, linkFile: typeof link): Promise<void> {
  if (!(await lstat(path)).isFile()) {
    await copyFile(path, backup);
    return;
  }
  await rm(backup, { force: true });
  try {
    await linkFile(path, backup);
  } catch (err) {
    if (!NO_HARD_LINKS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    await copyFile(path, backup);
  }
}

/**
 * Undoes the `writeFlowsFile` that has just returned: the backup it made holds the file as it was
 * before, so it goes back in place (atomically); with no backup there was no file, so none stays.
 * Only right after that write: the next write replaces the backup.
 */
export async function restoreFlowsFile(path: string, written: { backedUp: boolean }): Promise<void> {
  if (!written.backedUp) {
    await unlink(path);
    return;
  }
  await writeFileAtomic(path, await readFile(flowsBackupPath(path)));
}
