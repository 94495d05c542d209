/**
 * What a deploy changes, as Node-RED decides it for its deployment types: nodes whose
 * configuration changed (position and wires aside), nodes added, removed or only rewired, and
 * what that implies: users of a changed config node, instances of a changed subflow, members of a
 * changed group and every node of a changed tab change too. Pure and O(nodes).
 */
import type { FlowConfigNode } from '../types.js';
import type { FlowModel } from './parse-flows.js';

export interface FlowDiff {
  readonly added: ReadonlySet<string>;
  readonly removed: ReadonlySet<string>;
  readonly changed: ReadonlySet<string>;
  readonly rewired: ReadonlySet<string>;
  /** Tabs (and 'global' for config nodes without a tab) touched by any of the above. */
  readonly flows: ReadonlySet<string>;
}

const LAYOUT_KEYS = new Set(['x', 'y', 'w', 'h', 'wires']);

export function diffFlows(previous: FlowModel, next: FlowModel): FlowDiff {
  const added = new Set<string>();
  const removed = new Set<string>();
  const changed = new Set<string>();
  const rewired = new Set<string>();

  for (const [id, node] of next.byId) {
    const old = previous.byId.get(id);
    if (!old) added.add(id);
    else {
      if (!sameIgnoringLayout(old, node)) changed.add(id);
      if (!sameWires(old.wires, node.wires)) rewired.add(id);
    }
  }
  for (const id of previous.byId.keys()) if (!next.byId.has(id)) removed.add(id);

  propagate(next, { added, removed, changed });

  const flows = new Set<string>();
  const flowOf = (model: FlowModel, id: string): string | undefined => {
    const node = model.byId.get(id);
    if (!node) return undefined;
    if (node.type === 'tab') return node.id;
    if (node.type === 'subflow') return undefined;
    const z = node.z;
    if (!z) return 'global';
    return model.subflows.has(z) ? undefined : z;
  };
  for (const id of [...added, ...changed, ...rewired]) {
    const f = flowOf(next, id);
    if (f) flows.add(f);
  }
  for (const id of removed) {
    const f = flowOf(previous, id);
    if (f) flows.add(f);
  }
  return { added, removed, changed, rewired, flows };
}

/** Spreads a change to everything that depends on the changed thing, until nothing new is found. */
function propagate(model: FlowModel, sets: { added: Set<string>; removed: Set<string>; changed: Set<string> }): void {
  const { changed } = sets;
  const dependants = buildDependants(model);
  const queue = [...changed, ...sets.added, ...sets.removed];
  while (queue.length > 0) {
    const id = queue.pop()!;
    for (const dependant of dependants.get(id) ?? []) {
      if (!changed.has(dependant) && !sets.added.has(dependant)) {
        changed.add(dependant);
        queue.push(dependant);
      }
    }
  }
}

/** id -> ids whose behaviour depends on it (config users, subflow instances, group and tab members). */
function buildDependants(model: FlowModel): Map<string, string[]> {
  const dependants = new Map<string, string[]>();
  const add = (on: string, who: string) => {
    let list = dependants.get(on);
    if (!list) dependants.set(on, (list = []));
    list.push(who);
  };
  const configIds = new Set<string>();
  for (const node of model.all) if (!Array.isArray(node.wires) && !['tab', 'subflow', 'group'].includes(node.type)) configIds.add(node.id);

  for (const node of model.all) {
    if (node.z) add(node.z, node.id); // tab or subflow definition -> its nodes
    if (typeof node.g === 'string' && node.g) add(node.g, node.id);
    if (node.type.startsWith('subflow:')) add(node.type.slice(8), node.id);
    if (configIds.size > 0) collectRefs(node, configIds, (ref) => ref !== node.id && add(ref, node.id));
  }
  // A node inside a subflow definition changing changes the definition, so its instances.
  for (const def of model.subflows.values()) {
    for (const inner of model.nodesByParent.get(def.id) ?? []) add(inner.id, def.id);
  }
  return dependants;
}

/**
 * Calls `found` for each string in a node's settings (nested lists and objects too, its own id,
 * tab, group and wires aside) that is one of `ids`: how a node refers to a config node, whether
 * through a declared `configRef` property or a contrib node's own key.
 */
export function collectRefs(value: unknown, ids: { has(id: string): boolean }, found: (id: string) => void, depth = 0): void {
  if (depth > 6) return;
  if (typeof value === 'string') {
    if (ids.has(value)) found(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, ids, found, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (depth === 0 && (key === 'id' || key === 'z' || key === 'g' || key === 'wires')) continue;
      collectRefs(v, ids, found, depth + 1);
    }
  }
}

/** Whether two saved nodes have the same configuration, position and wires aside (Node-RED's "changed"). */
export function sameIgnoringLayout(a: FlowConfigNode, b: FlowConfigNode): boolean {
  if (a === b) return true;
  // Every key of either side, without building their union: a key only `b` has is equal only
  // when its value is undefined, as a missing key reads.
  const aKeys = Object.keys(a);
  for (let i = 0; i < aKeys.length; i++) {
    const key = aKeys[i]!;
    if (!LAYOUT_KEYS.has(key) && !deepEqual(a[key], b[key])) return false;
  }
  const bKeys = Object.keys(b);
  for (let i = 0; i < bKeys.length; i++) {
    const key = bKeys[i]!;
    if (!LAYOUT_KEYS.has(key) && b[key] !== undefined && !Object.prototype.hasOwnProperty.call(a, key)) return false;
  }
  return true;
}

function sameWires(a: unknown, b: unknown): boolean {
  return deepEqual(a ?? [], b ?? []);
}

/**
 * Whether two values read from JSON are equal. With `keyOrder`, objects must also list their
 * members in the same order, so equal means "would serialise to the same text".
 */
export function deepEqual(a: unknown, b: unknown, keyOrder = false): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i], keyOrder)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  for (let i = 0; i < ak.length; i++) {
    const k = ak[i]!;
    if (keyOrder ? k !== bk[i] : !Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], keyOrder)) return false;
  }
  return true;
}
