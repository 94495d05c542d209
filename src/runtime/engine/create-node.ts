/**
 * Builds one live node from its saved config at deploy: a core node from its definition (reusing
 * what validation read), a contrib node from its constructor, a subflow instance from its
 * definition. A node that fails is logged and left out, as Node-RED does.
 */
import { ValidationError, type ValidationIssue } from '../../errors/index.js';
import { readProperties } from '../definition/index.js';
import { hasEnvVarProperties, mapEnvVarProperties } from '../properties/index.js';
import type { FlowConfigNode } from '../types.js';
import { createContribNode } from './contrib-node.js';
import { describeNodeIssues } from './left-out-nodes.js';
import type { EngineState } from './engine-state.js';
import type { Flow } from './flow.js';
import { RuntimeNode, type RuntimeNodeInit } from './runtime-node.js';
import { createSubflowInstance, remapSubflowNode } from './subflow-instance.js';

/**
 * Builds one live node. Synchronous unless the node's `create` (or a subflow instance) is
 * asynchronous: a deploy of 10,000 nodes then makes no promise and no microtask per node.
 * @example
 * const deps: FlowDeps = { ...others, createNode: (config, flow) => createNode(state, config, flow) };
 */
export function createNode(state: EngineState, raw: FlowConfigNode, flow: Flow): RuntimeNode | undefined | Promise<RuntimeNode | undefined> {
  const isSubflowCopy = flow.kind === 'subflow';
  const config: FlowConfigNode = isSubflowCopy ? remapSubflowNode(raw, flow.id, flow.configs) : raw;
  if (config.type.startsWith('subflow:')) return createSubflowInstance(state, config, flow);
  const { log, scope } = state;
  const entry = state.registry.get(config.type);
  if (!entry) {
    log('error', undefined, `node '${config.id}' has unknown type '${config.type}'`);
    return undefined;
  }
  const alias = isSubflowCopy ? raw.id : undefined;
  const read = isSubflowCopy ? undefined : state.validatedConfigs.get(raw);
  let substituted = config;
  // A contrib constructor may write to its config, so it always gets a copy of its own; core
  // definitions never write to theirs, and without a `${VAR}` to fill in need none.
  if (!read && (entry.kind === 'constructor' || hasEnvVarProperties(config))) {
    const like = nodeLikeOf(config, alias);
    // A new object: the saved config is never written to.
    substituted = mapEnvVarProperties(config, (name: string) => flow.getEnv(name, like));
  }
  const init: RuntimeNodeInit = {
    id: config.id,
    type: config.type,
    z: isSubflowCopy ? flow.id : config.z,
    g: typeof config.g === 'string' ? config.g : undefined,
    name: typeof config.name === 'string' ? config.name : undefined,
    alias,
    wires: Array.isArray(config.wires) ? config.wires : [],
    credentials: state.anyCredentials ? state.credentials[raw.id] : undefined,
  };
  const invalid = state.invalidIn.get(state.model)?.get(raw.id);
  if (invalid) return leftOut(state, init, flow, invalid);
  try {
    if (entry.kind === 'constructor') {
      const owner = { id: init.id, type: init.type, error: (err: unknown) => log('error', nodeLikeOf(config, alias), err) };
      return scope.run({ node: owner }, () => createContribNode(entry.ctor, substituted, init, flow));
    }
    const def = entry.def;
    let typed = read;
    if (!typed) {
      const migrated = def.migrate ? def.migrate(substituted) : substituted;
      // Only a copy (substituted, or made by migrate) is this read's own to fill in.
      const result = readProperties(def.properties, migrated, config.id, migrated !== raw);
      if (result.issues.length > 0) throw new ValidationError(`node '${config.id}' (${config.type}) has invalid properties`, result.issues);
      typed = result.config;
    }
    // `typed` is the config read at validation or just now: a copy of the saved node, or the
    // saved node itself when every property read as saved. Either holds the saved wires and
    // goes to `create` as it is; the saved node is copied only to give it wires it lacks.
    if (typed.wires !== init.wires) {
      if (typed === raw) typed = { ...raw };
      typed.wires = init.wires;
    }
    const node = new RuntimeNode(init, flow);
    const handlers = scope.call({ node }, def.create, def, typed as never, node, undefined);
    if (isThenable(handlers)) {
      return handlers.then(
        (h) => {
          if (h) node.addHandlers(h);
          return node;
        },
        (err: unknown) => creationFailed(state, config, alias, err),
      );
    }
    if (handlers) node.addHandlers(handlers);
    return node;
  } catch (err) {
    return creationFailed(state, config, alias, err);
  }
}

/** The node as log lines and env lookups see it before it exists. */
function nodeLikeOf(config: FlowConfigNode, alias: string | undefined): RuntimeNode {
  return { id: config.id, name: config.name, g: config.g, _alias: alias } as RuntimeNode;
}

/**
 * A node whose settings are invalid, as Node-RED makes one: it exists (`getNode` finds it, wires
 * reach it, its credentials are kept) but takes no message, and says why once, as an error.
 */
function leftOut(state: EngineState, init: RuntimeNodeInit, flow: Flow, issues: readonly ValidationIssue[]): RuntimeNode {
  const node = new RuntimeNode(init, flow);
  state.log('error', node, `node '${init.id}' (${init.type}) does nothing until its settings are fixed: ${describeNodeIssues(issues)}`);
  return node;
}

function creationFailed(state: EngineState, config: FlowConfigNode, alias: string | undefined, err: unknown): undefined {
  state.log('error', nodeLikeOf(config, alias), `failed to start node '${config.id}' (${config.type}): ${err instanceof Error ? err.message : String(err)}`);
  return undefined;
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}
