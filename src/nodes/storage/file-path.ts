/** Where a file node's filename points, as Node-RED resolves it. */
import { isAbsolute, join, resolve } from 'node:path';
import type { RuntimeSettings } from '../../runtime/definition/index.js';
import { string, typed } from '../../runtime/definition/property-kinds.js';

export const FILENAME_TYPES = ['str', 'msg', 'flow', 'global', 'env', 'jsonata'] as const;

/** The filename setting of `file` and `file in`: a typed input saved as `filename` + `filenameType`. */
export const filenameProperties = {
  filename: typed({ default: '', typeKey: 'filenameType', types: FILENAME_TYPES, label: 'Filename' }),
  filenameType: string({ default: 'str' }),
};

/**
 * A relative filename is taken from `fileWorkingDirectory` when that setting is set, otherwise
 * (as in Node-RED) from the process's working directory.
 */
export function resolveFilePath(filename: string, settings: RuntimeSettings): string {
  const base = settings.fileWorkingDirectory;
  if (filename && typeof base === 'string' && base && !isAbsolute(filename)) return resolve(join(base, filename));
  return filename;
}

/** Pre-3.0 nodes had no `filenameType`: an empty filename meant msg.filename. Pure. */
export function migrateFilename<T extends Record<string, unknown>>(raw: T): T {
  if (raw.filenameType !== undefined && raw.filenameType !== '') return raw;
  if (raw.filename === undefined || raw.filename === '') return { ...raw, filename: 'filename', filenameType: 'msg' };
  return { ...raw, filenameType: 'str' };
}
