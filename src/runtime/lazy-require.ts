/**
 * Loads a package the first time it is needed. Packages such as cheerio, ajv, xml2js, jsonata
 * and moment-timezone cost megabytes of memory each; an installation whose flows never use them
 * should not pay for them (idle memory on an edge gateway matters more than the first message's latency).
 */
import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

/** Returns a loader; the package is required (synchronously, once) on the loader's first call. */
export function lazyRequire<T>(name: string): () => T {
  // This cache is the only state: the loaded module itself, the same for every caller.
  let loaded: T | undefined;
  return () => (loaded ??= requireFromHere(name) as T);
}
