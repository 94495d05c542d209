/**
 * The runtime API for the palette: node types grouped as Node-RED groups them (module → node
 * sets → types), and enabling or disabling a module or a set, which is what `node-red-admin
 * enable|disable` does. A deploy cannot add or change a node of a disabled set's types (see
 * `disabled-types.ts`); a set whose types are in use cannot be disabled. Which sets are disabled is kept in `redoubt.db` and read back when the
 * service is built (before the flows start); the registry then treats those types as not
 * installed, so a stored flow that uses one waits, as for a missing type, until the set is
 * enabled again.
 */
import { RedoubtError } from '../../errors/index.js';
import type { Registry } from '../../runtime/registry.js';
import type { FlowConfigNode } from '../../runtime/types.js';
import type { AuditLog } from '../../security/types.js';
import type { NodeSetsStore } from '../../storage/node-sets-store.js';
import { assertCan } from './access.js';
import type { Can, Caller } from './types.js';

/** Node-RED's node-set summary, as `GET /nodes` lists it. */
export interface NodeSetInfo {
  id: string;
  name: string;
  types: string[];
  enabled: boolean;
  local: boolean;
  user: boolean;
  module: string;
  version: string;
}

export interface ModuleInfo {
  name: string;
  version: string;
  local: boolean;
  user: boolean;
  nodes: NodeSetInfo[];
}

export interface NodesServiceDeps {
  registry: Pick<Registry, 'entries' | 'setDisabled'>;
  /** Where the disabled sets are kept across restarts. */
  store: NodeSetsStore;
  /** The deployed flows, to refuse disabling a type in use. */
  deployedFlows: () => readonly FlowConfigNode[];
  /** Starts the flows that waited for types a set just enabled brings back. */
  startWaitingFlows: () => Promise<unknown>;
  audit: AuditLog;
  can: Can;
  /** Reported as every module's version. */
  version: string;
  /** For the time a set was disabled; default `Date.now`. */
  clock?: { now(): number };
}

export interface NodesService {
  listSets(caller: Caller): NodeSetInfo[];
  getModule(caller: Caller, module: string): ModuleInfo;
  getSet(caller: Caller, module: string, set: string): NodeSetInfo;
  setModuleEnabled(caller: Caller, module: string, enabled: boolean): Promise<ModuleInfo>;
  setSetEnabled(caller: Caller, module: string, set: string, enabled: boolean): Promise<NodeSetInfo>;
  /** Types of the disabled sets, for the deploy check. */
  disabledTypes(): ReadonlySet<string>;
}

/** One set per type; a set's name is its type with spaces as dashes (`link in` → `link-in`). */
const setNameOf = (type: string) => type.replace(/\s+/g, '-');

/**
 * @example
 * const nodes = createNodesService({ registry, store: createNodeSetsStore(db), deployedFlows: () => engine.getFlows().flows,
 *   startWaitingFlows: () => engine.startWaiting(), audit, can, version: '0.1.0' });
 */
export function createNodesService(deps: NodesServiceDeps): NodesService {
  const { can, audit, store } = deps;
  const clock = deps.clock ?? { now: Date.now };
  // Set ids. Ids of sets not installed now are kept: the module may come back.
  const disabled = new Set<string>(store.disabled().map((s) => s.id));

  const sets = (): NodeSetInfo[] => {
    const byId = new Map<string, NodeSetInfo>();
    for (const entry of deps.registry.entries()) {
      const id = `${entry.module}/${setNameOf(entry.type)}`;
      const set = byId.get(id) ?? { id, name: setNameOf(entry.type), types: [], enabled: !disabled.has(id), local: false, user: false, module: entry.module, version: deps.version };
      set.types.push(entry.type);
      byId.set(id, set);
    }
    return [...byId.values()];
  };

  const moduleInfo = (module: string): ModuleInfo => {
    const nodes = sets().filter((s) => s.module === module);
    if (nodes.length === 0) throw new RedoubtError('module_not_found', `module '${module}' is not installed`);
    return { name: module, version: deps.version, local: false, user: false, nodes };
  };

  const findSet = (module: string, name: string): NodeSetInfo => {
    const set = sets().find((s) => s.module === module && s.name === name);
    if (!set) throw new RedoubtError('not_found', `node set '${module}/${name}' not found`);
    return set;
  };

  // Types registered later than this (a contrib module loaded after the server was built) are
  // not covered; today every module is loaded before.
  for (const set of sets()) if (disabled.has(set.id)) for (const type of set.types) deps.registry.setDisabled(type, true);

  const changeSets = async (caller: Caller, targets: NodeSetInfo[], enabled: boolean) => {
    if (!enabled) {
      const used = new Set(deps.deployedFlows().map((n) => n.type));
      const inUse = targets.flatMap((s) => s.types).filter((t) => used.has(t));
      if (inUse.length > 0) throw new RedoubtError('type_in_use', `Type in use: ${inUse.join(', ')}`);
    }
    const ids = targets.map((s) => s.id);
    // Stored first: a change that would not survive a restart is not made at all.
    try {
      store.setDisabled(ids, !enabled, { username: caller.username, at: clock.now() });
    } catch (err) {
      throw new RedoubtError('nodes_not_saved', `The node sets could not be ${enabled ? 'enabled' : 'disabled'}: the change could not be saved; nothing was changed`, { cause: err });
    }
    for (const set of targets) {
      if (enabled) disabled.delete(set.id);
      else disabled.add(set.id);
      for (const type of set.types) deps.registry.setDisabled(type, !enabled);
    }
    audit.record({ event: enabled ? 'nodes.enable' : 'nodes.disable', username: caller.username, address: caller.address, details: { sets: ids } });
    if (enabled) await deps.startWaitingFlows();
  };

  return {
    listSets(caller) {
      assertCan(can, caller, 'nodes.read');
      return sets();
    },
    getModule(caller, module) {
      assertCan(can, caller, 'nodes.read');
      return moduleInfo(module);
    },
    getSet(caller, module, set) {
      assertCan(can, caller, 'nodes.read');
      return findSet(module, set);
    },
    async setModuleEnabled(caller, module, enabled) {
      assertCan(can, caller, 'nodes.write');
      await changeSets(caller, moduleInfo(module).nodes, enabled);
      return moduleInfo(module);
    },
    async setSetEnabled(caller, module, set, enabled) {
      assertCan(can, caller, 'nodes.write');
      await changeSets(caller, [findSet(module, set)], enabled);
      return findSet(module, set);
    },
    disabledTypes() {
      // Asked on every deploy; nearly always nothing is disabled.
      if (disabled.size === 0) return new Set();
      return new Set(sets().filter((s) => !s.enabled).flatMap((s) => s.types));
    },
  };
}
