/**
 * The node types an engine knows: core declarations and contrib constructors registered through
 * `RED.nodes.registerType`. Both end up as entries of this one registry. A type can be disabled
 * (its node set switched off by the operator): it is then "not installed" to everything that
 * runs flows (`get`, `has`, `types`), as in Node-RED, while `entries` still lists it so the
 * palette can show it as disabled.
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
  /** The entry of a registered type that is not disabled. */
  get(type: string): TypeEntry | undefined;
  has(type: string): boolean;
  /** Registered types that are not disabled. */
  types(): string[];
  /** Every registered type, disabled ones included. */
  entries(): TypeEntry[];
  /** Disables or enables a type; a type not registered yet stays disabled when it is. */
  setDisabled(type: string, disabled: boolean): void;
  isDisabled(type: string): boolean;
}

export function createRegistry(): Registry {
  const entries = new Map<string, TypeEntry>();
  const disabled = new Set<string>();
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
    // Called for every node of a deploy: nothing disabled (the usual case) is one lookup.
    get: (type) => (disabled.size > 0 && disabled.has(type) ? undefined : entries.get(type)),
    has: (type) => entries.has(type) && (disabled.size === 0 || !disabled.has(type)),
    types: () => [...entries.keys()].filter((type) => !disabled.has(type)),
    entries: () => [...entries.values()],
    setDisabled(type, off) {
      if (off) disabled.add(type);
      else disabled.delete(type);
    },
    isDisabled: (type) => disabled.has(type),
  };
}
