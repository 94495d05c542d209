/**
 * Subflow instances: the instance node in its parent flow, the flow that runs one copy of the
 * subflow definition's nodes under it, and the remapping that gives each copied node its own id.
 */
import type { FlowConfigNode } from '../types.js';
import type { EngineState } from './engine-state.js';
import { Flow } from './flow.js';
import { RuntimeNode } from './runtime-node.js';

/**
 * Starts one instance of a subflow (a node of type `subflow:<id>`) in `parent`; the instance
 * node, or undefined when the definition does not exist (logged).
 * @example
 * await createSubflowInstance(state, { id: 'i1', type: 'subflow:sf1', z: 't1', wires: [] }, tab);
 */
export async function createSubflowInstance(state: EngineState, config: FlowConfigNode, parent: Flow): Promise<RuntimeNode | undefined> {
  const { model, deps } = state;
  const defId = config.type.slice('subflow:'.length);
  const def = model.subflows.get(defId);
  if (!def) {
    state.log('error', undefined, `node '${config.id}' uses subflow '${defId}', which does not exist`);
    return undefined;
  }
  const instance = new RuntimeNode(
    { id: config.id, type: config.type, z: config.z, g: typeof config.g === 'string' ? config.g : undefined, name: (config.name as string) || def.name, wires: config.wires ?? [] },
    parent,
  );
  const child = new Flow(
    { id: config.id, kind: 'subflow', config, nodes: model.nodesByParent.get(defId) ?? [], groups: model.groups, parent, subflowDef: def, instance },
    deps,
  );
  parent.subflows.set(config.id, child);
  deps.flowContext(config.id, parent.id);
  await child.start();
  return instance;
}

/**
 * A node of a subflow definition, copied for one instance: new id, wires and scopes remapped.
 * @example
 * remapSubflowNode({ id: 'a', type: 'change', z: 'sf1', wires: [['b']] }, 'i1', inside);
 * // { id: 'i1-a', type: 'change', z: 'i1', wires: [['i1-b']] } when 'a' and 'b' are inside
 */
export function remapSubflowNode(raw: FlowConfigNode, instanceId: string, inside: ReadonlyMap<string, unknown>): FlowConfigNode {
  // Only ids of the definition's own nodes move; links to nodes outside it stay as they are.
  const map = (id: string) => (inside.has(id) ? `${instanceId}-${id}` : id);
  const copy: FlowConfigNode = { ...raw, id: map(raw.id), z: instanceId };
  if (Array.isArray(raw.wires)) copy.wires = raw.wires.map((port) => port.map(map));
  if (Array.isArray(raw.scope)) copy.scope = (raw.scope as string[]).map(map);
  if (Array.isArray(raw.links)) copy.links = (raw.links as string[]).map(map);
  return copy;
}
