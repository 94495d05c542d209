/**
 * The memory context store: one object per scope in a Map. Values are kept by reference, as in
 * Node-RED. Parsed key paths are cached per store so a hot key is parsed once.
 */
import type { CompiledPath } from '../properties/index.js';
import { compilePropertyPath, PropertyExpressionError } from '../properties/index.js';
import type { ContextGetCallback, ContextKeysCallback, ContextSetCallback, ContextStore } from './context-store.js';
import { isScopeActive, RESERVED_GLOBAL_KEYS } from './context-store.js';

const PATH_CACHE_LIMIT = 2000;

/** A memory store, with what the file store needs to use it as its cache. */
export interface MemoryStore extends ContextStore {
  /** The live object of a scope, or undefined. */
  scopeData(scope: string): Record<string, unknown> | undefined;
  /** Replaces a scope's data (used when loading from disk). */
  loadScope(scope: string, data: Record<string, unknown>): void;
  scopes(): string[];
}

/** Creates an empty memory store. */
export function createMemoryStore(): MemoryStore {
  const data = new Map<string, Record<string, unknown>>();
  const paths = new Map<string, CompiledPath>();

  const pathOf = (key: string): CompiledPath => {
    let p = paths.get(key);
    if (!p) {
      p = compilePropertyPath(key);
      if (paths.size >= PATH_CACHE_LIMIT) paths.clear();
      paths.set(key, p);
    }
    return p;
  };

  const getOne = (scope: string, key: string): unknown => {
    const path = pathOf(key);
    const obj = data.get(scope);
    if (!obj) return undefined;
    try {
      return path.get(obj);
    } catch (err) {
      // A missing parent reads as undefined; a malformed key is the caller's error.
      if (err instanceof PropertyExpressionError) throw err;
      return undefined;
    }
  };

  const setAll = (scope: string, key: string | string[], value: unknown): void => {
    const keys = Array.isArray(key) ? key : [key];
    const values = Array.isArray(key) ? (Array.isArray(value) ? value : [value]) : [value];
    let obj = data.get(scope);
    if (!obj) {
      obj = Object.create(null) as Record<string, unknown>;
      data.set(scope, obj);
    }
    for (let i = 0; i < keys.length; i++) pathOf(keys[i]).set(obj, i < values.length ? values[i] : null);
  };

  function get(scope: string, key: string | string[]): unknown;
  function get(scope: string, key: string | string[], callback: ContextGetCallback): void;
  function get(scope: string, key: string | string[], callback?: ContextGetCallback): unknown {
    let result: unknown;
    try {
      result = Array.isArray(key) ? key.map((k) => getOne(scope, k)) : getOne(scope, key);
    } catch (err) {
      if (!callback) throw err;
      callback(err as Error);
      return undefined;
    }
    if (!callback) return result;
    if (Array.isArray(key)) callback(null, ...(result as unknown[]));
    else callback(null, result);
    return undefined;
  }

  function keys(scope: string): string[];
  function keys(scope: string, callback: ContextKeysCallback): void;
  function keys(scope: string, callback?: ContextKeysCallback): string[] | void {
    const obj = data.get(scope);
    let list = obj ? Object.keys(obj) : [];
    if (scope === 'global') list = list.filter((k) => !RESERVED_GLOBAL_KEYS.has(k));
    if (!callback) return list;
    callback(null, list);
  }

  return {
    open: () => Promise.resolve(),
    close: () => Promise.resolve(),
    get,
    set(scope: string, key: string | string[], value: unknown, callback?: ContextSetCallback): void {
      try {
        setAll(scope, key, value);
      } catch (err) {
        if (!callback) throw err;
        callback(err as Error);
        return;
      }
      callback?.(null);
    },
    keys,
    delete(scope: string): Promise<void> {
      data.delete(scope);
      return Promise.resolve();
    },
    clean(activeNodeIds: Iterable<string>): Promise<void> {
      const active = new Set(activeNodeIds);
      for (const scope of [...data.keys()]) if (!isScopeActive(scope, active)) data.delete(scope);
      return Promise.resolve();
    },
    scopeData: (scope) => data.get(scope),
    loadScope(scope, values) {
      const obj = Object.create(null) as Record<string, unknown>;
      Object.assign(obj, values);
      data.set(scope, obj);
    },
    scopes: () => [...data.keys()],
  };
}
