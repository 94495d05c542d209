/** Context keys as the typed input writes them when a store is chosen: `#:(store)::key`. */

export interface ContextStoreRef {
  store?: string;
  key: string;
}

const STORE_PREFIX = /^#:\((\S+?)\)::([\s\S]*)$/;

/**
 * Splits a context key into its store name and key.
 *
 * @example parseContextStore('#:(file)::counter') // { store: 'file', key: 'counter' }
 * @example parseContextStore('counter')           // { key: 'counter' }
 */
export function parseContextStore(key: string): ContextStoreRef {
  const m = STORE_PREFIX.exec(key);
  return m ? { store: m[1], key: m[2] } : { key };
}
