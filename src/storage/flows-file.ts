/**
 * `flows.json` on disk, in Node-RED's format: a JSON array of node configurations, compact or
 * indented by four spaces (`flowFilePretty`). Each write keeps the previous file as
 * `.flows.json.backup` beside it, as Node-RED does, and replaces the file atomically.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RedoubtError } from '../errors/index.js';
import { writeFileAtomic, type AtomicFs } from './atomic-write.js';

export interface WriteFlowsOptions {
  /** Node-RED's `flowFilePretty`: four-space indentation instead of one line. */
  pretty?: boolean;
  fs?: AtomicFs;
}

/** Node-RED's backup name: `.` + file name + `.backup`, in the same directory. */
export function flowsBackupPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.backup`);
}

/**
 * Reads a flows file; a missing or empty file is an empty flow set.
 *
 * @example
 * const flows = await readFlowsFile(join(userDir, 'flows.json'));
 */
export async function readFlowsFile(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new RedoubtError('read_failed', `could not read ${path}: ${(err as Error).message}`, { cause: err, place: { file: path } });
  }
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
 * Saves flows atomically, first copying the current file to its backup.
 *
 * @example
 * await writeFlowsFile(join(userDir, 'flows.json'), flows, { pretty: settings.flowFilePretty });
 */
export async function writeFlowsFile(path: string, flows: readonly unknown[], options: WriteFlowsOptions = {}): Promise<void> {
  if (!Array.isArray(flows)) throw new RedoubtError('flows_file_invalid', 'flows to save must be an array');
  const text = options.pretty ? JSON.stringify(flows, null, 4) : JSON.stringify(flows);
  try {
    await copyFile(path, flowsBackupPath(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new RedoubtError('write_failed', `could not back up ${path}: ${(err as Error).message}`, { cause: err, place: { file: path } });
    }
  }
  await writeFileAtomic(path, text, { fs: options.fs });
}
