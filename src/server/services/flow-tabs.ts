/**
 * Node-RED's single-flow view (`/flow/:id`): a tab with its nodes and config nodes, or `global`
 * for config nodes and subflows outside any tab. Pure functions over the deployed flow list.
 */
import { RedoubtError, NotFoundError } from '../../errors/index.js';
import { deepEqual, provenSameInOrder } from '../../runtime/flow-model/index.js';
import type { FlowConfigNode } from '../../runtime/types.js';

export interface FlowTab {
  id: string;
  label?: string;
  disabled?: boolean;
  info?: string;
  env?: unknown[];
  nodes: FlowConfigNode[];
  configs: FlowConfigNode[];
  subflows?: FlowConfigNode[];
}

const isConfigNode = (node: FlowConfigNode) => !('wires' in node) && node.type !== 'tab' && node.type !== 'group';

/** The tab `id` (or `global`) in Node-RED's shape. */
export function exportFlow(flows: readonly FlowConfigNode[], id: string): FlowTab {
  if (id === 'global') {
    const subflows = flows.filter((n) => n.type === 'subflow');
    const subflowIds = new Set(subflows.map((s) => s.id));
    const inSubflows = flows.filter((n) => typeof n.z === 'string' && subflowIds.has(n.z));
    return {
      id: 'global',
      nodes: [],
      configs: flows.filter((n) => !n.z && isConfigNode(n) && n.type !== 'subflow'),
      subflows: [...subflows, ...inSubflows],
    };
  }
  const tab = flows.find((n) => n.id === id && n.type === 'tab');
  if (!tab) throw new NotFoundError('flow', id);
  const members = flows.filter((n) => n.z === id);
  const out: FlowTab = { id, label: tab.label as string | undefined, nodes: members.filter((n) => !isConfigNode(n)), configs: members.filter(isConfigNode) };
  if (tab.disabled !== undefined) out.disabled = Boolean(tab.disabled);
  if (tab.info !== undefined) out.info = String(tab.info);
  if (Array.isArray(tab.env)) out.env = tab.env;
  return out;
}

function tabNode(id: string, body: Record<string, unknown>): FlowConfigNode {
  const tab: FlowConfigNode = { id, type: 'tab', label: typeof body.label === 'string' ? body.label : id };
  if (body.disabled !== undefined) tab.disabled = Boolean(body.disabled);
  if (typeof body.info === 'string') tab.info = body.info;
  if (Array.isArray(body.env)) tab.env = body.env;
  return tab;
}

function members(id: string, body: Record<string, unknown>): FlowConfigNode[] {
  const list = [...(Array.isArray(body.nodes) ? body.nodes : []), ...(Array.isArray(body.configs) ? body.configs : [])];
  return list.map((n, i) => {
    if (n === null || typeof n !== 'object' || Array.isArray(n)) {
      throw new RedoubtError('invalid_request', `flow entry ${i} is not an object`);
    }
    return { ...(n as FlowConfigNode), z: id };
  });
}

/** The flow list with a new tab `id` built from a POST /flow body. */
export function addFlow(flows: readonly FlowConfigNode[], id: string, body: Record<string, unknown>): FlowConfigNode[] {
  if (flows.some((n) => n.id === id)) throw new RedoubtError('invalid_request', `id '${id}' is already in use`);
  return [...flows, tabNode(id, body), ...members(id, body)];
}

/** The flow list with tab `id` replaced by a PUT /flow/:id body (`global` replaces config nodes and subflows). */
export function replaceFlow(flows: readonly FlowConfigNode[], id: string, body: Record<string, unknown>): FlowConfigNode[] {
  if (id === 'global') {
    const current = exportFlow(flows, 'global');
    const drop = new Set([...current.configs, ...(current.subflows ?? [])].map((n) => n.id));
    const configs = Array.isArray(body.configs) ? (body.configs as FlowConfigNode[]) : [];
    const subflows = Array.isArray(body.subflows) ? (body.subflows as FlowConfigNode[]) : [];
    return [...flows.filter((n) => !drop.has(n.id)), ...configs, ...subflows];
  }
  exportFlow(flows, id);
  if (body.id !== undefined && body.id !== id) throw new RedoubtError('invalid_request', `the body's id '${String(body.id)}' does not match '${id}'`);
  const kept = flows.filter((n) => n.id !== id && n.z !== id);
  return [...kept, tabNode(id, body), ...members(id, body)];
}

/** The flow list without tab `id` and its nodes. */
export function removeFlow(flows: readonly FlowConfigNode[], id: string): FlowConfigNode[] {
  if (id === 'global') throw new RedoubtError('invalid_request', "the 'global' flow cannot be deleted");
  exportFlow(flows, id);
  return flows.filter((n) => n.id !== id && n.z !== id);
}

/**
 * Added, removed and changed node ids between two flow lists. A node is changed when its JSON
 * differs; comparing the values (in key order, as JSON text would) spares serialising every node
 * of both lists on each deploy, and a node the engine has already found equal at validation
 * (`provenSameInOrder`) is not compared again.
 */
export function summariseChanges(before: readonly FlowConfigNode[], after: readonly FlowConfigNode[]): { added: string[]; removed: string[]; changed: string[] } {
  // A first deploy (nothing before) adds every node: no lookups.
  if (before.length === 0) return { added: after.map((n) => n.id), removed: [], changed: [] };
  // What is left in `unmatched` once every node of `after` took its own out was removed.
  const unmatched = new Map<string, FlowConfigNode>();
  for (const n of before) unmatched.set(n.id, n);
  const added: string[] = [];
  const changed: string[] = [];
  for (const n of after) {
    const was = unmatched.get(n.id);
    if (was === undefined) added.push(n.id);
    else {
      unmatched.delete(n.id);
      if (!provenSameInOrder(was, n) && !deepEqual(was, n, true)) changed.push(n.id);
    }
  }
  return { added, removed: [...unmatched.keys()], changed };
}

