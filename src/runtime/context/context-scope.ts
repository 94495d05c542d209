/**
 * One context scope as nodes see it (`context`, `flow`, `global`): argument juggling of Node-RED's
 * API (store and callback optional), `#:(store)::key` keys, `$parent.` keys of subflow flow
 * contexts, and the seed values of `functionGlobalContext` for the global scope.
 */
import { RedoubtError } from '../../errors/index.js';
import { getObjectProperty, parseContextStore, PropertyExpressionError } from '../properties/index.js';
import type { ContextScope } from '../types.js';
import type { ContextGetCallback, ContextKeysCallback, ContextSetCallback, ContextStore } from './context-store.js';

/** A scope with the internals the manager and `$parent` resolution need. */
export interface ScopeHandle extends ContextScope {
  readonly scopeId: string;
  /** The parent flow's scope (subflows), resolved when used. */
  readonly $parent: ScopeHandle | undefined;
}

export interface ScopeDeps {
  /** The store for a name (undefined: the default store). */
  storeFor(name: string | undefined): ContextStore;
  parent?: () => ScopeHandle | undefined;
  seed?: Record<string, unknown>;
  exportSeedKeys?: boolean;
}

type AnyCallback = (...args: any[]) => void;

function splitArgs<C extends AnyCallback>(store: unknown, callback: unknown): { store: string | undefined; callback: C | undefined } {
  if (callback === undefined && typeof store === 'function') return { store: undefined, callback: store as C };
  if (callback !== undefined && typeof callback !== 'function') {
    throw new RedoubtError('invalid_context_callback', 'Callback must be a function');
  }
  return { store: typeof store === 'string' && store !== '' ? store : undefined, callback: callback as C | undefined };
}

function isValidKey(key: unknown): key is string | string[] {
  const keys = Array.isArray(key) ? key : [key];
  return keys.length > 0 && keys.every((k) => typeof k === 'string' && k.length > 0);
}

const invalidKey = (): RedoubtError => new RedoubtError('invalid_context_key', 'Invalid context key');

/** Follows `$parent.` prefixes: undefined when the key has none, else the target scope and key. */
function followParent(start: ScopeHandle | undefined, key: string): { scope: ScopeHandle | undefined; key: string } | undefined {
  if (key === '$parent') return { scope: start, key: '' };
  if (!key.startsWith('$parent.')) return undefined;
  let scope = start;
  let rest = key.slice(8);
  while (scope && rest.startsWith('$parent.')) {
    scope = scope.$parent;
    rest = rest.slice(8);
  }
  return { scope, key: rest };
}

interface LocatedKey {
  key: string;
  /** The store named by the call, else by a `#:(store)::` prefix; undefined: the default store. */
  store: string | undefined;
  /** Where a `$parent.` key goes; undefined when the key has no such prefix. */
  up: { scope: ScopeHandle | undefined; key: string } | undefined;
}

/** Reads a single key as `get` and `set` both do: its store prefix, then its `$parent.` prefixes. */
function locateKey(raw: string, named: string | undefined, parent: ScopeDeps['parent']): LocatedKey {
  const ref = parseContextStore(raw);
  return { key: ref.key, store: named ?? ref.store, up: followParent(parent?.(), ref.key) };
}

function seedValue(seed: Record<string, unknown>, key: string): unknown {
  try {
    return getObjectProperty(seed, key);
  } catch (err) {
    if (err instanceof PropertyExpressionError) throw err;
    return undefined;
  }
}

/** Creates the scope `scopeId` over the stores of `deps`. */
export function createContextScope(scopeId: string, deps: ScopeDeps): ScopeHandle {
  const { seed } = deps;
  const seedKeys = seed ? Object.keys(seed) : [];
  const withSeed = (key: string | string[], values: unknown[]): unknown[] => {
    if (!seed) return values;
    const keys = Array.isArray(key) ? key : [key];
    return values.map((v, i) => (v === undefined ? seedValue(seed, keys[i]) : v));
  };

  const scope: ScopeHandle = {
    scopeId,
    get $parent() {
      return deps.parent?.();
    },
    get(key: string | string[], storeArg?: unknown, callbackArg?: unknown): any {
      const { store: named, callback } = splitArgs<ContextGetCallback>(storeArg, callbackArg);
      if (!isValidKey(key)) {
        if (callback) return void callback(invalidKey());
        throw invalidKey();
      }
      let storeName = named;
      if (!Array.isArray(key)) {
        const one = locateKey(key, named, deps.parent);
        if (one.up) {
          if (one.up.scope && one.up.key) return one.up.scope.get(one.up.key, one.store, callback as ContextGetCallback);
          if (callback) return void callback(null, undefined);
          return undefined;
        }
        key = one.key;
        storeName = one.store;
      }
      const store = deps.storeFor(storeName);
      if (callback) {
        const k = key;
        store.get(scopeId, k, (err, ...values) => {
          if (err) return callback(err);
          let filled: unknown[];
          try {
            filled = withSeed(k, values);
          } catch (seedErr) {
            return callback(seedErr as Error);
          }
          callback(null, ...filled);
        });
        return undefined;
      }
      const result = store.get(scopeId, key);
      if (!seed) return result;
      return Array.isArray(key) ? withSeed(key, result as unknown[]) : withSeed(key, [result])[0];
    },
    set(key: string | string[], value: unknown, storeArg?: unknown, callbackArg?: unknown): void {
      const { store: named, callback } = splitArgs<ContextSetCallback>(storeArg, callbackArg);
      if (!isValidKey(key)) {
        if (callback) return callback(invalidKey());
        throw invalidKey();
      }
      let storeName = named;
      if (!Array.isArray(key)) {
        const one = locateKey(key, named, deps.parent);
        if (one.up) {
          if (one.up.scope && one.up.key) return one.up.scope.set(one.up.key, value, one.store, callback as ContextSetCallback);
          return callback?.(null);
        }
        key = one.key;
        storeName = one.store;
      }
      deps.storeFor(storeName).set(scopeId, key, value, callback);
    },
    keys(storeArg?: unknown, callbackArg?: unknown): any {
      const { store: named, callback } = splitArgs<ContextKeysCallback>(storeArg, callbackArg);
      const store = deps.storeFor(named);
      if (!seed || deps.exportSeedKeys === false) {
        return callback ? store.keys(scopeId, callback) : store.keys(scopeId);
      }
      const merge = (keys: string[] = []): string[] => [...new Set([...seedKeys, ...keys])];
      if (!callback) return merge(store.keys(scopeId));
      store.keys(scopeId, (err, keys) => (err ? callback(err) : callback(null, merge(keys))));
      return undefined;
    },
  } as ScopeHandle;
  return scope;
}

/** The scope above a top-level flow: reads undefined, ignores writes. */
export function createRootScope(): ScopeHandle {
  return {
    scopeId: '',
    $parent: undefined,
    get(_key: unknown, storeArg?: unknown, callbackArg?: unknown): any {
      const cb = typeof storeArg === 'function' ? storeArg : callbackArg;
      if (typeof cb === 'function') cb(null, undefined);
      return undefined;
    },
    set(_key: unknown, _value: unknown, storeArg?: unknown, callbackArg?: unknown): void {
      const cb = typeof storeArg === 'function' ? storeArg : callbackArg;
      if (typeof cb === 'function') cb(null);
    },
    keys(storeArg?: unknown, callbackArg?: unknown): any {
      const cb = typeof storeArg === 'function' ? storeArg : callbackArg;
      if (typeof cb === 'function') return void cb(null, []);
      return [];
    },
  } as ScopeHandle;
}
