/**
 * One declaration per node type: the runtime (validation at deploy, behaviour), the editor
 * (palette, form, help) and the API (`GET /nodes`) all read this object.
 */
import type { ValidationIssue } from '../../errors/index.js';
import type { FlowConfigNode } from '../types.js';
import type { NodeApi, NodeHandlers } from './node-api.js';
import type { ConfigOf, PropertySchema } from './property-kinds.js';

export type NodeCategory = 'common' | 'function' | 'sequence' | 'parser' | 'network' | 'storage' | 'config' | 'industrial' | 'subflow';

/** Fields every saved node has, beside its declared properties. */
export interface BaseConfig {
  id: string;
  type: string;
  z?: string;
  g?: string;
  name?: string;
  wires: string[][];
  [key: string]: unknown;
}

export interface CredentialDecl {
  type: 'text' | 'password';
}

export interface NodeDefinition<P extends PropertySchema = PropertySchema> {
  readonly type: string;
  readonly category: NodeCategory;
  /** Config nodes have no wires and are shared by the nodes that reference them. */
  readonly isConfig?: boolean;
  readonly inputs: 0 | 1;
  /** Fixed, or read from the saved config (switch, function and others save `outputs`). */
  readonly outputs: number | ((config: ConfigOf<P> & BaseConfig) => number);
  readonly properties: P;
  readonly credentials?: Record<string, CredentialDecl>;
  /** Pure: legacy saved shapes to the current one. Runs before validation. */
  readonly migrate?: (raw: FlowConfigNode) => FlowConfigNode;
  /** Cross-property checks; returns every issue. Runs at deploy. */
  readonly validate?: (config: ConfigOf<P> & BaseConfig) => ValidationIssue[];
  /**
   * Runs once per deploy of the node: compile what can be compiled, then return handlers (or
   * register them with `node.on`). A throw here fails this node only, with the error logged.
   */
  readonly create: (config: ConfigOf<P> & BaseConfig, node: NodeApi) => void | NodeHandlers | Promise<void | NodeHandlers>;
  readonly editor?: {
    readonly color?: string;
    readonly icon?: string;
    readonly paletteLabel?: string;
    readonly align?: 'left' | 'right';
  };
}

export function defineNode<P extends PropertySchema>(def: NodeDefinition<P>): NodeDefinition<P> {
  return def;
}
