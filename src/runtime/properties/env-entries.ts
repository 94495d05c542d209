/**
 * The `env` arrays of flows, groups and subflow instances, evaluated as Node-RED 4 does when a
 * flow starts: every entry by its type, `jsonata` ones concurrently, `env` ones last because they
 * may name a sibling entry of the same array.
 */
import { RedoubtError } from '../../errors/index.js';
import type { NodeContext, PropertyHost } from '../types.js';
import type { EnvLookup } from './env.js';
import { evaluateEnvProperty } from './env.js';
import { evaluateNodeProperty } from './typed.js';

export interface EnvEntry {
  name: string;
  value: unknown;
  type: string;
}

export interface EvaluateEnvOptions {
  /** Values of `cred` entries, by entry name (decrypted credentials of the flow or subflow). */
  credentials?: Record<string, unknown>;
  /** Called for an entry that fails to evaluate; that entry is then undefined (as Node-RED). */
  onError?: (name: string, err: Error) => void;
}

const EXACT_REF = /^\$\{[^}]+\}$/;

function hostFor(node: PropertyHost | undefined, lookup: EnvLookup): PropertyHost {
  return {
    id: node?.id ?? '',
    z: node?.z,
    context(): NodeContext {
      if (!node) throw new RedoubtError('context_unavailable', 'No context is available to this env entry');
      return node.context();
    },
    getEnv: lookup,
  };
}

function evaluateJSONataEntry(entry: EnvEntry, host: PropertyHost): Promise<unknown> {
  return new Promise((resolve, reject) => {
    evaluateNodeProperty(entry.value, 'jsonata', host, undefined, (err, value) => (err ? reject(err) : resolve(value)));
  });
}

/**
 * Evaluates `entries` against the parent scope's `lookup`. `node` gives jsonata entries their
 * `$flowContext`/`$globalContext`. Object values are returned as they are: callers that hand them
 * to many nodes should clone on read, as Node-RED does.
 *
 * @example await evaluateEnvEntries([{ name: 'PORT', value: '1880', type: 'num' }], lookup, node) // { PORT: 1880 }
 */
export async function evaluateEnvEntries(
  entries: ReadonlyArray<EnvEntry>,
  lookup: EnvLookup,
  node: PropertyHost | undefined,
  options: EvaluateEnvOptions = {},
): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  const credentials = options.credentials ?? {};
  const pending: Array<Promise<void>> = [];
  const deferred: EnvEntry[] = [];
  const fail = (name: string, err: unknown): void => {
    result[name] = undefined;
    options.onError?.(name, err instanceof Error ? err : new Error(String(err)));
  };
  const host = hostFor(node, lookup);
  for (const entry of entries) {
    const { name, type } = entry;
    let value = entry.value;
    if (type === 'env') {
      deferred.push(entry);
      continue;
    }
    if (type === 'jsonata') {
      result[name] = undefined;
      pending.push(evaluateJSONataEntry(entry, host).then((v) => void (result[name] = v), (err) => fail(name, err)));
      continue;
    }
    if (type === 'bool') {
      value = value === 'true' || value === true;
    } else if (type === 'cred') {
      if (Object.prototype.hasOwnProperty.call(credentials, name)) value = credentials[name];
    } else if (type === 'conf-type') {
      if (typeof value === 'string' && EXACT_REF.test(value)) value = lookup(value.slice(2, -1));
    } else {
      try {
        value = evaluateNodeProperty(value, type, host, undefined);
      } catch (err) {
        fail(name, err);
        continue;
      }
    }
    result[name] = value;
  }
  await Promise.all(pending);
  const own = Object.prototype.hasOwnProperty;
  const siblingLookup: EnvLookup = (n) => (own.call(result, n) ? result[n] : lookup(n));
  for (const entry of deferred) {
    // An entry naming itself means "the variable of the same name one level up".
    let ref = String(entry.value);
    if (ref === entry.name) ref = `$parent.${entry.name}`;
    result[entry.name] = own.call(result, ref) ? result[ref] : evaluateEnvProperty(ref, siblingLookup);
  }
  return result;
}
