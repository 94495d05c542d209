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
    else if (!provenSame(old, node)) {
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
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      // Numbers, booleans and null refer to nothing: no call for them.
      if (typeof v === 'string' ? ids.has(v) : typeof v === 'object' && v !== null) collectRefs(v, ids, found, depth + 1);
    }
  } else if (value !== null && typeof value === 'object') {
    // for-in over a parsed JSON object lists its own keys without the array Object.entries
    // builds: this runs over every setting of every node at each deploy.
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (!hasOwn.call(record, key)) continue;
      if (depth === 0 && (key === 'id' || key === 'z' || key === 'g' || key === 'wires')) continue;
      const v = record[key];
      if (typeof v === 'string' ? ids.has(v) : typeof v === 'object' && v !== null) collectRefs(v, ids, found, depth + 1);
    }
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Incoming nodes proven equal to the deployed node of the same id, by `sameNode`: in member order
 * too, or in content only. A deploy compares each node up to three times (validation, to skip
 * re-reading an unchanged node; the diff, to decide what restarts; the audit summary, to count
 * changes), about 10 ms a pass for 10,000 nodes; the first proof serves the others. Weak keys:
 * a proof lives as long as the incoming node object, which is one deploy's.
 */
const provenInOrder = new WeakMap<FlowConfigNode, FlowConfigNode>();
const provenInContent = new WeakMap<FlowConfigNode, FlowConfigNode>();

/**
 * Whether `incoming` holds the same settings as `deployed` (member order aside), remembering the
 * answer for `provenSame` and `provenSameInOrder` later in the same deploy. Both are read-only
 * values parsed from JSON; a deploy never edits them.
 */
export function sameNode(deployed: FlowConfigNode, incoming: FlowConfigNode): boolean {
  if (deployed === incoming || provenSame(deployed, incoming)) return true;
  if (deepEqual(deployed, incoming, true)) {
    provenInOrder.set(incoming, deployed);
    return true;
  }
  if (deepEqual(deployed, incoming)) {
    provenInContent.set(incoming, deployed);
    return true;
  }
  return false;
}

/** Whether `sameNode` has found the two equal (member order aside). */
export function provenSame(deployed: FlowConfigNode, incoming: FlowConfigNode): boolean {
  return provenInOrder.get(incoming) === deployed || provenInContent.get(incoming) === deployed;
}

/** Whether `sameNode` has found the two equal with their members in the same order. */
export function provenSameInOrder(deployed: FlowConfigNode, incoming: FlowConfigNode): boolean {
  return provenInOrder.get(incoming) === deployed;
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
