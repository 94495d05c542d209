/**
 * Which node types a tab waits for before it can start: types used by its nodes (and by the
 * subflows it uses) that are not registered or are disabled, and the types of the shared config
 * nodes its nodes refer to that cannot be created. Redoubt waits per tab where Node-RED holds
 * back every flow; a tab that needs nothing missing starts. Pure over the flow model.
 */
import { collectRefs, type FlowModel } from '../flow-model/index.js';

/** Whether a node type can be created now (registered and not disabled). */
export type IsRegistered = (type: string) => boolean;

/** Node-RED's placeholder type: never installed, never waited for. */
const PLACEHOLDER = 'unknown';

/**
 * Config nodes without a tab (shared by every tab) that cannot be created yet, each with the
 * missing types it waits for: those of a type that is not registered, and those that refer to
 * such a config node (a TLS config of a disabled type makes the broker config that uses it wait
 * too). Empty, and cheap, when every type is there.
 * @example
 * const waiting = findWaitingConfigs(model, (type) => registry.has(type)); // Map { 'tls1' => ['tls-config'] }
 */
export function findWaitingConfigs(model: FlowModel, isRegistered: IsRegistered): Map<string, string[]> {
  const waiting = new Map<string, string[]>();
  const candidates = model.globalNodes;
  for (let i = 0; i < candidates.length; i++) {
    const node = candidates[i]!;
    if (node.d === true || node.type === PLACEHOLDER || node.type.startsWith('subflow:')) continue;
    if (!isRegistered(node.type)) waiting.set(node.id, [node.type]);
  }
  if (waiting.size === 0) return waiting;
  // Until nothing new is found: config nodes can refer to config nodes that refer to others.
  for (let grew = true; grew; ) {
    grew = false;
    for (let i = 0; i < candidates.length; i++) {
      const node = candidates[i]!;
      if (node.d === true || waiting.has(node.id)) continue;
      const types = new Set<string>();
      collectRefs(node, waiting, (ref) => {
        for (const type of waiting.get(ref)!) types.add(type);
      });
      if (types.size > 0) {
        waiting.set(node.id, [...types]);
        grew = true;
      }
    }
  }
  return waiting;
}

/**
 * The missing types tab (or subflow) `flowId` waits for, in the order first used: its own nodes'
 * types, those of the subflows it uses, and those the shared config nodes it refers to wait for.
 * @example
 * missingTypesOf(model, 't1', { isRegistered: (t) => registry.has(t), waitingConfigs }); // ['exec']
 */
export function missingTypesOf(model: FlowModel, flowId: string, opts: { isRegistered: IsRegistered; waitingConfigs: ReadonlyMap<string, readonly string[]> }): string[] {
  const out = new Set<string>();
  collect(model, flowId, opts, out, new Set());
  return [...out];
}

function collect(
  model: FlowModel,
  parentId: string,
  opts: { isRegistered: IsRegistered; waitingConfigs: ReadonlyMap<string, readonly string[]> },
  out: Set<string>,
  seen: Set<string>,
): void {
  if (seen.has(parentId)) return;
  seen.add(parentId);
  const { isRegistered, waitingConfigs } = opts;
  const addTypesOf = (ref: string) => {
    for (const type of waitingConfigs.get(ref)!) out.add(type);
  };
  const nodes = model.nodesByParent.get(parentId) ?? [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.d === true) continue;
    const type = node.type;
    if (type.startsWith('subflow:')) collect(model, type.slice(8), opts, out, seen);
    else if (type !== PLACEHOLDER && !isRegistered(type)) out.add(type);
    // Nearly always nothing waits, and no node's settings need be searched.
    if (waitingConfigs.size > 0) collectRefs(node, waitingConfigs, addTypesOf);
  }
}
