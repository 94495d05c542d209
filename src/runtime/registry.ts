/**
 * The node types an engine knows: core declarations and contrib constructors registered through
 * `RED.nodes.registerType`. Both end up as entries of this one registry.
 */
import { ConfigError } from '../errors/index.js';
import type { CredentialDecl, NodeDefinition } from './definition/index.js';

// Constructors of contrib nodes are plain functions called with `new`.
export type NodeConstructor = (new (config: Record<string, unknown>) => unknown) | ((this: unknown, config: Record<string, unknown>) => void);

export type TypeEntry =
  | { kind: 'definition'; type: string; module: string; def: NodeDefinition<any>; credentials?: Record<string, CredentialDecl> }
  | { kind: 'constructor'; type: string; module: string; ctor: NodeConstructor; credentials?: Record<string, CredentialDecl>; settings?: Record<string, unknown> };

export interface Registry {
  define(def: NodeDefinition<any>, module?: string): void;
  registerConstructor(type: string, ctor: NodeConstructor, opts?: { module?: string; credentials?: Record<string, CredentialDecl>; settings?: Record<string, unknown> }): void;
  get(type: string): TypeEntry | undefined;
  has(type: string): boolean;
  types(): string[];
  entries(): TypeEntry[];
}

export function createRegistry(): Registry {
  const entries = new Map<string, TypeEntry>();
  const add = (entry: TypeEntry) => {
    const existing = entries.get(entry.type);
    if (existing && existing.module !== entry.module) {
      throw new ConfigError('nodes', `node type '${entry.type}' from ${entry.module} is already registered by ${existing.module}`);
    }
    entries.set(entry.type, entry);
  };
  return {
    define(def, module = 'redoubt') {
      add({ kind: 'definition', type: def.type, module, def, credentials: def.credentials });
    },
    registerConstructor(type, ctor, opts = {}) {
      add({ kind: 'constructor', type, module: opts.module ?? 'contrib', ctor, credentials: opts.credentials, settings: opts.settings });
    },
    get: (type) => entries.get(type),
    has: (type) => entries.has(type),
    types: () => [...entries.keys()],
    entries: () => [...entries.values()],
  };
}
