/**
 * The interface every context store implements, as Node-RED's context plugins do. A scope is
 * `global`, a flow id, or `<nodeId>:<flowId>`. Keys may be nested paths (`a.b[0]`).
 */

export type ContextGetCallback = (err: Error | null, ...values: unknown[]) => void;
export type ContextSetCallback = (err: Error | null) => void;
export type ContextKeysCallback = (err: Error | null, keys?: string[]) => void;

export interface ContextStore {
  open(): Promise<void>;
  /** Flushes what is pending and releases resources. */
  close(): Promise<void>;
  /** Without a callback, reads synchronously (an async-only store throws `context_store_async_only`). */
  get(scope: string, key: string | string[]): unknown;
  get(scope: string, key: string | string[], callback: ContextGetCallback): void;
  /** Setting `undefined` deletes the key. With an array of keys, `value` is the array of values. */
  set(scope: string, key: string | string[], value: unknown, callback?: ContextSetCallback): void;
  keys(scope: string): string[];
  keys(scope: string, callback: ContextKeysCallback): void;
  /** Removes a whole scope. */
  delete(scope: string): Promise<void>;
  /** Removes node and flow scopes whose id is not in `activeNodeIds`; never `global`. */
  clean(activeNodeIds: Iterable<string>): Promise<void>;
}

/** Node-RED's global scope hides these three names from `keys()`: they are the API's own. */
export const RESERVED_GLOBAL_KEYS = new Set(['get', 'set', 'keys']);

/** Whether a scope (`nodeId:flowId`, a flow id, or `global`) belongs to an active node or flow. */
export function isScopeActive(scope: string, active: ReadonlySet<string>): boolean {
  if (scope === 'global') return true;
  const colon = scope.indexOf(':');
  return active.has(colon < 0 ? scope : scope.slice(0, colon));
}
