/**
 * Node, flow and global context over the stores named in the `contextStorage` setting, as
 * Node-RED's context module: named stores, `default` as a store or as an alias of another, the
 * first store as default when none is named `default`, and an unknown store name falling back to
 * the default store with a warning (once per name).
 */
import { ConfigError } from '../../errors/index.js';
import type { ContextScope, Logger, NodeContext } from '../types.js';
import type { ScopeHandle } from './context-scope.js';
import { createContextScope, createRootScope } from './context-scope.js';
import type { ContextStore } from './context-store.js';
import { createFileStore } from './file-store.js';
import { createMemoryStore } from './memory-store.js';

/** Builds a custom store from its `config` (with `userDir` added, as Node-RED's `settings.userDir`). */
export type ContextStoreFactory = (config: Record<string, unknown> & { userDir: string }) => ContextStore;

export interface ContextStoreSetting {
  module: 'memory' | 'localfilesystem' | string | ContextStoreFactory;
  config?: Record<string, unknown>;
}

export interface ContextManagerOptions {
  /** As Node-RED's setting; `default` may be a setting or the name of another store. */
  contextStorage?: Record<string, ContextStoreSetting | string>;
  userDir: string;
  functionGlobalContext?: Record<string, unknown>;
  /** Whether global `keys()` lists `functionGlobalContext` keys; default true. */
  exportGlobalContextKeys?: boolean;
  log?: Logger;
}

export interface ContextManager {
  load(): Promise<void>;
  getNodeContext(nodeId: string, flowId: string): NodeContext;
  getFlowContext(flowId: string, parentFlowId?: string): ContextScope;
  getGlobalContext(): ContextScope;
  /** `global` clears global context in every store; other ids are cleared only when no store is configured (as Node-RED). */
  deleteContext(nodeId: string, flowId?: string): Promise<void>;
  /** Drops node and flow context whose node or flow id is not active; global is kept. */
  clean(activeNodeIds: Set<string>): Promise<void>;
  close(): Promise<void>;
  /** Configured store names, as Node-RED's `listStores().stores`. */
  storeNames(): string[];
  /** The name of the default store. */
  defaultStoreName(): string;
}

const STORE_NAME = /^[a-zA-Z0-9_]+$/;

interface StoreTable {
  byName: Map<string, ContextStore>;
  fallback: ContextStore;
  defaultName: string;
  names: string[];
  isConfigured: boolean;
}

function buildStore(name: string, setting: ContextStoreSetting, options: ContextManagerOptions): ContextStore {
  const config: Record<string, unknown> & { userDir: string } = { ...setting.config, userDir: options.userDir };
  const { module } = setting;
  if (typeof module === 'function') return module(config);
  if (module === 'memory') return createMemoryStore();
  if (module === 'localfilesystem') {
    const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));
    const flushInterval = num(config.flushInterval);
    if (flushInterval !== undefined && !Number.isFinite(flushInterval)) {
      throw new ConfigError(`contextStorage.${name}.config.flushInterval`, 'must be a number of seconds');
    }
    return createFileStore({
      dir: typeof config.dir === 'string' ? config.dir : options.userDir,
      base: typeof config.base === 'string' ? config.base : undefined,
      cache: config.cache === undefined ? undefined : config.cache !== false,
      flushInterval,
      log: options.log,
    });
  }
  throw new ConfigError(`contextStorage.${name}.module`, `unknown context store module '${String(module)}' (use 'memory' or 'localfilesystem')`);
}

/** Validates the setting and builds (but does not open) its stores. */
function buildStoreTable(options: ContextManagerOptions): StoreTable {
  const settings = options.contextStorage ?? {};
  const entries = Object.entries(settings).filter(([name]) => name !== '_');
  if (entries.length === 0) {
    const memory = createMemoryStore();
    return { byName: new Map(), fallback: memory, defaultName: 'memory', names: ['memory'], isConfigured: false };
  }
  const byName = new Map<string, ContextStore>();
  let alias: string | undefined;
  for (const [name, setting] of entries) {
    if (!STORE_NAME.test(name)) throw new ConfigError(`contextStorage.${name}`, 'store names may only use letters, digits and _');
    if (name === 'default' && typeof setting === 'string') {
      if (!Object.prototype.hasOwnProperty.call(settings, setting) || setting === 'default') {
        throw new ConfigError('contextStorage.default', `names store '${setting}', which is not configured`);
      }
      alias = setting;
      continue;
    }
    if (typeof setting !== 'object' || setting === null || setting.module === undefined) {
      throw new ConfigError(`contextStorage.${name}`, "needs a 'module' ('memory', 'localfilesystem' or a store factory)");
    }
    byName.set(name, buildStore(name, setting, options));
  }
  let defaultName: string;
  let isAlias = false;
  if (alias !== undefined) {
    defaultName = alias;
    isAlias = true;
  } else if (byName.has('default')) {
    defaultName = 'default';
  } else {
    defaultName = byName.keys().next().value as string;
    isAlias = true;
  }
  const fallback = byName.get(defaultName) as ContextStore;
  const names = [...byName.keys()].filter((n) => !(isAlias && n === 'default'));
  return { byName, fallback, defaultName, names, isConfigured: true };
}

/**
 * Creates the context manager. Before `load()` every scope uses one memory store, so nodes can be
 * tested without loading; `load()` opens the configured stores.
 *
 * @example const ctx = createContextManager({ userDir, contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } } });
 *          await ctx.load(); ctx.getNodeContext('n1', 'f1').set('count', 1, 'file');
 */
export function createContextManager(options: ContextManagerOptions): ContextManager {
  let table: StoreTable = { byName: new Map(), fallback: createMemoryStore(), defaultName: 'memory', names: ['memory'], isConfigured: false };
  const warnedStores = new Set<string>();
  const contexts = new Map<string, ScopeHandle | (ScopeHandle & NodeContext)>();
  const root = createRootScope();

  const storeFor = (name: string | undefined): ContextStore => {
    if (name === undefined || name === '_') return table.fallback;
    const store = table.byName.get(name);
    if (store) return store;
    if (name !== table.defaultName && !warnedStores.has(name)) {
      warnedStores.add(name);
      options.log?.log({ level: 'warn', msg: `Unknown context store '${name}' specified. Using default store.` });
    }
    return table.fallback;
  };

  const createGlobal = (): ScopeHandle =>
    createContextScope('global', {
      storeFor,
      seed: options.functionGlobalContext ?? {},
      exportSeedKeys: options.exportGlobalContextKeys,
    });
  let global = createGlobal();

  const uniqueStores = (): ContextStore[] => [...new Set([table.fallback, ...table.byName.values()])];

  const getFlowScope = (flowId: string, parentFlowId?: string): ScopeHandle => {
    const known = contexts.get(flowId);
    if (known) return known;
    const scope = createContextScope(flowId, {
      storeFor,
      // Resolved on use, so a parent flow created later is still found.
      parent: () => (parentFlowId === undefined ? root : (contexts.get(parentFlowId) ?? root)),
    });
    contexts.set(flowId, scope);
    return scope;
  };

  return {
    async load() {
      const next = buildStoreTable(options);
      const stores = [...new Set([next.fallback, ...next.byName.values()])];
      await Promise.all(stores.map((s) => s.open()));
      table = next;
      warnedStores.clear();
      for (const name of next.byName.keys()) {
        options.log?.log({ level: 'info', msg: `Context store  : '${name}'${name === next.defaultName ? ' [default]' : ''}` });
      }
    },
    getNodeContext(nodeId: string, flowId: string): NodeContext {
      const contextId = flowId ? `${nodeId}:${flowId}` : nodeId;
      const known = contexts.get(contextId);
      if (known && 'flow' in known) return known as NodeContext;
      const scope = createContextScope(contextId, { storeFor }) as ScopeHandle & NodeContext;
      const flow = flowId ? getFlowScope(flowId) : undefined;
      Object.defineProperty(scope, 'flow', { value: flow, enumerable: false });
      Object.defineProperty(scope, 'global', { get: () => global, enumerable: false });
      contexts.set(contextId, scope);
      return scope;
    },
    getFlowContext: (flowId, parentFlowId) => getFlowScope(flowId, parentFlowId),
    getGlobalContext: () => global,
    async deleteContext(nodeId: string, flowId?: string) {
      if (nodeId === 'global') {
        await Promise.all(uniqueStores().map((s) => s.delete('global')));
        global = createGlobal();
        return;
      }
      if (table.isConfigured) return;
      const contextId = flowId ? `${nodeId}:${flowId}` : nodeId;
      contexts.delete(contextId);
      await table.fallback.delete(contextId);
    },
    async clean(activeNodeIds: Set<string>) {
      await Promise.all(uniqueStores().map((s) => s.clean(activeNodeIds)));
      for (const id of [...contexts.keys()]) {
        const colon = id.indexOf(':');
        if (!activeNodeIds.has(colon < 0 ? id : id.slice(0, colon))) contexts.delete(id);
      }
    },
    async close() {
      await Promise.all(uniqueStores().map((s) => s.close()));
    },
    storeNames: () => [...table.names],
    defaultStoreName: () => table.defaultName,
  };
}
