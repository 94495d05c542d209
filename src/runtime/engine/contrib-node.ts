/**
 * Builds a node from a contrib constructor registered with `RED.nodes.registerType`. The
 * constructor calls `RED.nodes.createNode(this, config)`; the data that call needs travels on
 * the config object under a symbol, so no shared mutable state links the two.
 */
import type { NodeConstructor } from '../registry.js';
import type { FlowConfigNode } from '../types.js';
import { RuntimeNode, type NodeHost, type RuntimeNodeInit } from './runtime-node.js';

const CREATION = Symbol('redoubt.creation');

interface Creation {
  init: RuntimeNodeInit;
  host: NodeHost;
}

export function createContribNode(ctor: NodeConstructor, config: FlowConfigNode, init: RuntimeNodeInit, host: NodeHost): RuntimeNode {
  const carrier = { ...config };
  Object.defineProperty(carrier, CREATION, { value: { init, host } satisfies Creation, enumerable: false });
  const node = Reflect.construct(ctor as new (c: unknown) => unknown, [carrier]) as RuntimeNode;
  if (!(node instanceof RuntimeNode) || !('_flow' in node) || node._flow === undefined) {
    throw new Error(`the constructor of '${config.type}' did not call RED.nodes.createNode(this, config)`);
  }
  return node;
}

/** `RED.nodes.createNode(node, config)`. */
export function initialiseContribNode(node: object, config: Record<string | symbol, unknown>): void {
  const creation = config[CREATION] as Creation | undefined;
  if (!creation) throw new Error('RED.nodes.createNode was called outside a node constructor');
  RuntimeNode.initialise(node as RuntimeNode, creation.init, creation.host);
}

/** Makes a contrib constructor's instances Redoubt nodes, as Node-RED's `util.inherits(ctor, Node)`. */
export function adoptConstructor(ctor: NodeConstructor): void {
  const proto = (ctor as { prototype?: object }).prototype;
  if (proto && !(proto instanceof RuntimeNode)) Object.setPrototypeOf(proto, RuntimeNode.prototype);
}
