/**
 * The persistent context store, on disk as Node-RED's `localfilesystem`:
 *
 *   <dir>/<base>/global/global.json
 *   <dir>/<base>/<flowId>/flow.json
 *   <dir>/<base>/<flowId>/<nodeId>.json
 *
 * With the cache (the default) reads and writes hit memory and changed scopes are written every
 * `flushInterval` seconds and on close. Without it, every access reads the file and only the
 * callback API is offered. Every write is atomic: a temp file is written, fsynced and renamed.
 * A file that is not valid JSON is reported (with its path), moved aside and read as empty.
 */
import { mkdir, open as openFile, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RedoubtError } from '../../errors/index.js';
import type { Logger } from '../types.js';
import type { ContextGetCallback, ContextKeysCallback, ContextSetCallback, ContextStore } from './context-store.js';
import { RESERVED_GLOBAL_KEYS } from './context-store.js';
import { createMemoryStore } from './memory-store.js';

export interface FileStoreTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface FileStoreOptions {
  /** The directory holding the `base` folder; usually the user directory. */
  dir: string;
  /** Folder name under `dir`; default `context`. */
  base?: string;
  /** Keep contents in memory and flush on an interval; default true. */
  cache?: boolean;
  /** Seconds between flushes of changed scopes; default 30. */
  flushInterval?: number;
  log?: Logger;
  timers?: FileStoreTimers;
}

export interface CorruptContextFile {
  file: string;
  movedTo: string | undefined;
  message: string;
}

export interface FileStore extends ContextStore {
  /** Writes every changed scope now. */
  flush(): Promise<void>;
  /** Files found corrupt by `open()`. */
  corruptFiles(): CorruptContextFile[];
  readonly baseDir: string;
}

const SCOPE_PART = /^[^/\\\0]+$/;

function checkPart(scope: string, part: string): string {
  if (!SCOPE_PART.test(part) || part === '.' || part === '..') {
    throw new RedoubtError('invalid_context_scope', `Context scope '${scope}' cannot name a file`);
  }
  return part;
}

/** The file of a scope, without `.json` in Node-RED's layout. */
function scopeFile(baseDir: string, scope: string): string {
  if (scope === 'global') return join(baseDir, 'global', 'global.json');
  const colon = scope.indexOf(':');
  if (colon < 0) return join(baseDir, checkPart(scope, scope), 'flow.json');
  const nodeId = checkPart(scope, scope.slice(0, colon));
  const flowId = checkPart(scope, scope.slice(colon + 1));
  return join(baseDir, flowId, `${nodeId}.json`);
}

/** JSON text of a scope; a circular reference becomes the string '[Circular]'. */
function stringify(value: unknown): { json: string; isCircular: boolean } {
  try {
    return { json: JSON.stringify(value, null, 4), isCircular: false };
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
  }
  const ancestors: unknown[] = [];
  let isCircular = false;
  const json = JSON.stringify(
    value,
    function replace(this: unknown, _key: string, v: unknown) {
      if (typeof v !== 'object' || v === null) return v;
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
      if (ancestors.includes(v)) {
        isCircular = true;
        return '[Circular]';
      }
      ancestors.push(v);
      return v;
    },
    4,
  );
  return { json, isCircular };
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** Creates a file-backed store; call `open()` before use. */
export function createFileStore(options: FileStoreOptions): FileStore {
  const baseDir = join(options.dir, options.base ?? 'context');
  const isCached = options.cache ?? true;
  const flushMs = Math.max(0, options.flushInterval ?? 30) * 1000;
  const timers: FileStoreTimers = options.timers ?? {
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };
  const log = (level: 'error' | 'warn' | 'debug', msg: string): void => options.log?.log({ level, msg });
  const cache = createMemoryStore();
  const pending = new Set<string>();
  const circularScopes = new Set<string>();
  const corrupt: CorruptContextFile[] = [];
  let writeChain: Promise<void> = Promise.resolve();
  let flushTimer: unknown;
  let isClosing = false;
  let tmpCounter = 0;

  async function writeAtomic(file: string, content: string): Promise<void> {
    await mkdir(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`;
    try {
      const handle = await openFile(tmp, 'w', 0o600);
      try {
        await handle.writeFile(content, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  function serialise(scope: string, data: unknown): string {
    const { json, isCircular } = stringify(data ?? {});
    if (isCircular && !circularScopes.has(scope)) {
      log('warn', `Context scope '${scope}' holds a circular reference; it is saved as '[Circular]'`);
      circularScopes.add(scope);
    } else if (!isCircular) {
      circularScopes.delete(scope);
    }
    return json;
  }

  async function writePending(): Promise<void> {
    const scopes = [...pending];
    pending.clear();
    await Promise.all(scopes.map((scope) => writeAtomic(scopeFile(baseDir, scope), serialise(scope, cache.scopeData(scope)))));
  }

  function enqueueFlush(): Promise<void> {
    writeChain = writeChain.then(writePending).catch((err: unknown) => {
      log('error', `Writing context to ${baseDir} failed: ${(err as Error).message}`);
    });
    return writeChain;
  }

  function scheduleFlush(): void {
    if (flushTimer !== undefined || isClosing) return;
    flushTimer = timers.setTimeout(() => {
      flushTimer = undefined;
      void enqueueFlush();
    }, flushMs);
  }

  async function readScopeFile(file: string): Promise<Record<string, unknown> | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    if (text.trim() === '') return {};
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
      return parsed as Record<string, unknown>;
    } catch (err) {
      throw new RedoubtError('context_file_corrupt', `Context file ${file} is not valid JSON: ${(err as Error).message}`, {
        cause: err,
        place: { file },
      });
    }
  }

  async function listScopeFiles(): Promise<Array<{ scope: string; file: string; dir: string }>> {
    let dirs: string[];
    try {
      dirs = await readdir(baseDir);
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const found: Array<{ scope: string; file: string; dir: string }> = [];
    for (const dir of dirs) {
      if (dir.startsWith('.')) continue;
      const full = join(baseDir, dir);
      if (!(await stat(full)).isDirectory()) continue;
      for (const name of await readdir(full)) {
        if (!name.endsWith('.json')) continue;
        const id = name.slice(0, -5);
        const scope = dir === 'global' ? 'global' : id === 'flow' ? dir : `${id}:${dir}`;
        found.push({ scope, file: join(full, name), dir });
      }
    }
    return found;
  }

  async function quarantine(file: string, err: RedoubtError): Promise<void> {
    const movedTo = `${file}.corrupt-${Date.now()}`;
    let moved: string | undefined = movedTo;
    try {
      await rename(file, movedTo);
    } catch (renameErr) {
      moved = undefined;
      log('error', `Could not move corrupt context file ${file} aside: ${(renameErr as Error).message}`);
    }
    corrupt.push({ file, movedTo: moved, message: err.message });
    log('error', `${err.message}; ${moved ? `moved to ${moved}, ` : ''}the scope starts empty`);
  }

  function asyncOnly(what: string): never {
    throw new RedoubtError('context_store_async_only', `File context store without cache: ${what} needs a callback`);
  }

  function get(scope: string, key: string | string[]): unknown;
  function get(scope: string, key: string | string[], callback: ContextGetCallback): void;
  function get(scope: string, key: string | string[], callback?: ContextGetCallback): unknown {
    if (isCached) return callback ? cache.get(scope, key, callback) : cache.get(scope, key);
    if (typeof callback !== 'function') asyncOnly('get');
    const done = callback;
    readScopeFile(scopeFile(baseDir, scope)).then(
      (data) => {
        const reader = createMemoryStore();
        reader.loadScope(scope, data ?? {});
        reader.get(scope, key, done);
      },
      (err: Error) => done(err),
    );
    return undefined;
  }

  function keys(scope: string): string[];
  function keys(scope: string, callback: ContextKeysCallback): void;
  function keys(scope: string, callback?: ContextKeysCallback): string[] | void {
    if (isCached) return callback ? cache.keys(scope, callback) : cache.keys(scope);
    if (typeof callback !== 'function') asyncOnly('keys');
    const done = callback;
    readScopeFile(scopeFile(baseDir, scope)).then(
      (data) => done(null, Object.keys(data ?? {}).filter((k) => scope !== 'global' || !RESERVED_GLOBAL_KEYS.has(k))),
      (err: Error) => done(err),
    );
  }

  function set(scope: string, key: string | string[], value: unknown, callback?: ContextSetCallback): void {
    if (isCached) {
      try {
        scopeFile(baseDir, scope);
      } catch (err) {
        if (!callback) throw err;
        callback(err as Error);
        return;
      }
      cache.set(scope, key, value, callback);
      pending.add(scope);
      scheduleFlush();
      return;
    }
    const step = async (): Promise<void> => {
      const file = scopeFile(baseDir, scope);
      const writer = createMemoryStore();
      writer.loadScope(scope, (await readScopeFile(file)) ?? {});
      writer.set(scope, key, value);
      await writeAtomic(file, serialise(scope, writer.scopeData(scope)));
    };
    const run = writeChain.then(step);
    writeChain = run.catch(() => undefined);
    run.then(
      () => callback?.(null),
      (err: Error) => {
        if (callback) callback(err);
        else log('error', `Writing context scope '${scope}' failed: ${err.message}`);
      },
    );
  }

  return {
    baseDir,
    async open() {
      await mkdir(baseDir, { recursive: true });
      if (!isCached) return;
      for (const { scope, file } of await listScopeFiles()) {
        try {
          const data = await readScopeFile(file);
          if (data) cache.loadScope(scope, data);
        } catch (err) {
          if (!(err instanceof RedoubtError) || err.code !== 'context_file_corrupt') throw err;
          await quarantine(file, err);
        }
      }
    },
    async close() {
      isClosing = true;
      if (flushTimer !== undefined) {
        timers.clearTimeout(flushTimer);
        flushTimer = undefined;
      }
      if (isCached) await enqueueFlush();
      else await writeChain;
    },
    flush: () => (isCached ? enqueueFlush() : writeChain),
    corruptFiles: () => [...corrupt],
    get,
    set,
    keys,
    async delete(scope: string) {
      const file = scopeFile(baseDir, scope);
      pending.delete(scope);
      await cache.delete(scope);
      await writeChain;
      await rm(file, { force: true });
    },
    async clean(activeNodeIds: Iterable<string>) {
      const active = new Set(activeNodeIds);
      await cache.clean(active);
      for (const scope of [...pending]) if (!cache.scopeData(scope)) pending.delete(scope);
      await writeChain;
      const deadDirs = new Set<string>();
      const deadFiles: string[] = [];
      for (const { scope, file, dir } of await listScopeFiles()) {
        if (scope === 'global') continue;
        if (!active.has(dir)) deadDirs.add(dir);
        else if (scope !== dir && !active.has(scope.slice(0, scope.indexOf(':')))) deadFiles.push(file);
      }
      await Promise.all([
        ...[...deadDirs].map((dir) => rm(join(baseDir, dir), { recursive: true, force: true })),
        ...deadFiles.map((file) => rm(file, { force: true })),
      ]);
    },
  };
}
