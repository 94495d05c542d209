/**
 * The flow engine: takes a flows configuration, validates it against the registered node types,
 * and runs it; redeploys with Node-RED's deployment types (full, flows, nodes, reload). A deploy
 * that is refused changes nothing: the running flows stay as they were.
 *
 * This file composes the engine and holds what runs per message (logging, delivery, node
 * lookup); the deploy-time parts are functions over its `EngineState`: `deploy.ts`,
 * `validate-flows.ts`, `create-node.ts`, `subflow-instance.ts`, `flow-lifecycle.ts`,
 * `missing-report.ts` and `left-out-nodes.ts`.
 */
import { EventEmitter } from 'node:events';
import { RedoubtError, type ValidationIssue } from '../../errors/index.js';
import type { NodeApi, RuntimeServices, RuntimeSettings } from '../definition/index.js';
import type { SubflowDef } from '../flow-model/index.js';
import { evaluateEnvEntries, type EnvEntry } from '../properties/index.js';
import { createHooks, type Hooks } from '../hooks/index.js';
import type { Registry } from '../registry.js';
import type { ContextScope, FlowConfigNode, LogEntry, LogLevel, Msg, NodeContext, NodeStatus } from '../types.js';
import { createNode } from './create-node.js';
import { deploy, type DeploymentType, type SetFlowsOptions } from './deploy.js';
import { createEngineState, setCredentials } from './engine-state.js';
import type { Flow, FlowDeps } from './flow.js';
import { startAll, startWaiting, stopAll } from './flow-lifecycle.js';
import { leftOutNodes, type LeftOutNode } from './left-out-nodes.js';
import { createRunQueue } from './run-queue.js';
import { RuntimeNode, type NodeHost } from './runtime-node.js';
import { createNodeScope, type NodeScope } from './node-scope.js';
import { validate } from './validate-flows.js';

export type { DeploymentType, SetFlowsOptions };

export interface ContextAccess {
  getNodeContext(nodeId: string, flowId: string): NodeContext;
  getFlowContext(flowId: string, parentFlowId?: string): ContextScope;
  getGlobalContext(): ContextScope;
  deleteContext(nodeId: string, flowId?: string): Promise<void>;
  clean(activeNodeIds: Set<string>): Promise<void>;
}

export interface EngineOptions {
  registry: Registry;
  settings: RuntimeSettings;
  userDir: string;
  contexts: ContextAccess;
  /** Receives every log entry (node warnings, errors, info). */
  log: (entry: LogEntry) => void;
}

export interface Engine {
  setFlows(input: unknown, options?: SetFlowsOptions): Promise<{ rev: string }>;
  getFlows(): { flows: FlowConfigNode[]; rev: string };
  startFlows(): Promise<void>;
  stopFlows(): Promise<void>;
  state(): 'start' | 'stop';
  getNode(id: string): RuntimeNode | undefined;
  /** The decrypted credentials deployed for node `id`, whether or not that node runs (a disabled tab's, say). */
  getCredentials(id: string): Record<string, unknown> | undefined;
  /**
   * Node-RED's `RED.nodes.addCredentials` and `deleteCredentials`, which contrib nodes call to
   * keep what they obtained at run time (an OAuth token, say): the credentials of node `id` from
   * now on, read by `getCredentials` and kept by the next deploy. Emitted as 'credentials'
   * (`{ id, credentials }`, undefined when deleted) for the server to save them.
   */
  setNodeCredentials(id: string, credentials: Record<string, unknown> | undefined): void;
  /** Every saved node config (tabs, subflows, groups too), each a copy, as Node-RED's `RED.nodes.eachNode`. */
  eachNode(cb: (node: FlowConfigNode) => void): void;
  /**
   * Starts the tabs that waited for types now registered (a node set enabled again), leaving
   * running tabs alone; the ids started. Nothing while the flows are stopped.
   */
  startWaiting(): Promise<string[]>;
  /** Node types used by the flows that are not registered; their flows wait. */
  missingTypes(): string[];
  /**
   * The nodes that do nothing for their invalid settings, with why: left out at a start from
   * saved flows (`invalidNodes: 'leave-out'`), and kept unchanged since.
   */
  leftOutNodes(): LeftOutNode[];
  /**
   * Validates without deploying: every issue in the flows, or none. `serialised` is the input as
   * JSON text (compact or indented) when the caller made it: a text without `${` or `$(` tells
   * that no node refers to env vars, so no node need be searched for one.
   */
  validate(input: unknown, serialised?: string): ValidationIssue[];
  readonly services: RuntimeServices;
  /** Writes `entry` to the runtime's log (the `log` option) and emits it as 'log', as a node's own log lines are. */
  log(entry: LogEntry): void;
  /** 'publish' (topic, data) for the comms, 'log' (entry), 'flows:started', 'flows:stopped', 'credentials' ({ id, credentials }). */
  readonly events: EventEmitter;
  /** Which node owns the code running now; for the process guard. */
  readonly scope: NodeScope;
  /** The message and module hooks (`RED.hooks`) of this engine; they stay across deploys. */
  readonly hooks: Hooks;
  close(): Promise<void>;
}

export function createEngine(options: EngineOptions): Engine {
  const { registry, settings, contexts } = options;
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const facilities = new Map<string, unknown>();
  const scope = createNodeScope();
  // The same Map as `state.flows`: the per-message lookups below read it without going through the state.
  const flows = new Map<string, Flow>();
  let deploying: Promise<unknown> = Promise.resolve();
  /**
   * Runs `work` after every deploy, start, stop or late start asked for before it: each starts
   * from the state the previous one left, and none sees half of another's flows.
   */
  const afterDeploys = <T>(work: () => Promise<T>): Promise<T> => {
    const run = deploying.then(work);
    deploying = run.catch(() => undefined);
    return run;
  };

  const writeLog = (entry: LogEntry) => {
    options.log(entry);
    events.emit('log', entry);
  };
  const log = (level: LogLevel, node: RuntimeNode | undefined, message: unknown) => {
    const entry: LogEntry = { level, msg: message, id: node?.id, type: node?.type, name: node?.name, z: node?.z };
    // Every node's entry names its flow path, as Node-RED's do: the tab id, 'global', or a subflow
    // instance's chain (the sidebar locates a logged warning's node by it).
    if (node?._flow && 'path' in node._flow) entry.path = String((node._flow as Flow).path());
    writeLog(entry);
  };

  const queue = createRunQueue((err, target) => {
    if (target instanceof RuntimeNode) target.error(err);
    else log('error', undefined, err);
  });

  // As Node-RED's `RED.nodes.getNode`: a node inside a subflow instance is found too, by its
  // instance id (`<instance id>-<id in the definition>`), nested instances included.
  const findIn = (all: Iterable<Flow>, id: string): RuntimeNode | undefined => {
    for (const flow of all) {
      const n = flow.nodes.get(id) ?? (flow.subflows.size > 0 ? findIn(flow.subflows.values(), id) : undefined);
      if (n) return n;
    }
    return undefined;
  };
  const getNode = (id: string): RuntimeNode | undefined => findIn(flows.values(), id);

  const services: RuntimeServices = {
    settings,
    userDir: options.userDir,
    publish: (topic, data) => events.emit('publish', topic, data),
    getNode,
    deliver: (target, msg) => queue.push(target as RuntimeNode, msg),
    nodesOfType(type) {
      const out: NodeApi[] = [];
      for (const flow of flows.values()) for (const n of flow.nodes.values()) if (n.type === type) out.push(n);
      return out;
    },
    facility<T>(name: string, create: () => T): T {
      if (!facilities.has(name)) facilities.set(name, create());
      return facilities.get(name) as T;
    },
  };

  const hooks = createHooks({ log: (level, message) => log(level, undefined, message) });

  const deps: FlowDeps = {
    services,
    queue,
    hooks,
    log,
    closeTimeoutMs: (settings.nodeCloseTimeout ?? 15) * 1000,
    getNode,
    scope,
    nodeContext: (nodeId, flowId) => contexts.getNodeContext(nodeId, flowId),
    flowContext: (flowId, parentFlowId) => contexts.getFlowContext(flowId, parentFlowId),
    publishStatus: (node: RuntimeNode, status: NodeStatus) => services.publish(`status/${node.id}`, status),
    evaluateEnv: async (entries, lookup, flow) => {
      if (!Array.isArray(entries) || entries.length === 0) return {};
      return evaluateEnvEntries(entries as EnvEntry[], lookup, undefined, {
        credentials: state.credentials[flow.config.id],
        onError: (name, err) => log('warn', undefined, `env '${name}' of ${flow.kind} '${flow.id}': ${err.message}`),
      });
    },
    createNode: (config, flow) => createNode(state, config, flow),
  };

  const state = createEngineState({ registry, events, queue, scope, deps, log, flows });

  return {
    services,
    events,
    scope,
    hooks,
    // It reads the model a deploy may be replacing.
    startWaiting: () => afterDeploys(() => startWaiting(state)),
    setFlows: (input, opts = {}) =>
      afterDeploys(() =>
        deploy(state, input, opts).finally(() => {
          // Only this deploy's node creation needed them; the saved nodes live on in the model.
          state.validatedConfigs = new Map();
        }),
      ),
    getFlows: () => ({ flows: [...state.model.all], rev: state.rev }),
    // A start or stop in the middle of a deploy would start or stop half of the old flows and half of the new.
    startFlows: () =>
      afterDeploys(async () => {
        if (!state.started) await startAll(state);
      }),
    stopFlows: () =>
      afterDeploys(async () => {
        if (state.started) await stopAll(state);
      }),
    state: () => (state.started ? 'start' : 'stop'),
    getNode,
    log: writeLog,
    // An own key only: an id such as `constructor` must not reach Object.prototype.
    getCredentials: (id) => (Object.hasOwn(state.credentials, id) ? state.credentials[id] : undefined),
    setNodeCredentials(id, credentials) {
      if (typeof id !== 'string' || id === '') throw new RedoubtError('invalid_credentials', 'credentials need the id of the node they belong to');
      if (credentials !== undefined && (credentials === null || typeof credentials !== 'object' || Array.isArray(credentials))) {
        throw new RedoubtError('invalid_credentials', `credentials for node ${id} must be an object of names and values`, { place: { nodeId: id } });
      }
      // A new object: the deployed set may be the one the server holds and saves, which must
      // change only when the server takes this change in.
      const next = { ...state.credentials };
      if (credentials === undefined) {
        if (!Object.hasOwn(next, id)) return;
        delete next[id];
      } else {
        // As the credentials file will hold them, so what a node reads now is what it reads after
        // a restart; the same again is no change (Node-RED's rule too), so nothing is saved or audited.
        const json = JSON.stringify(credentials);
        if (Object.hasOwn(next, id) && JSON.stringify(next[id]) === json) return;
        next[id] = JSON.parse(json) as Record<string, unknown>;
      }
      setCredentials(state, next);
      events.emit('credentials', { id, credentials: credentials === undefined ? undefined : next[id] });
    },
    eachNode(cb) {
      // Node-RED hands out a copy of every saved config (tabs, subflows and groups included),
      // not the live nodes; a copy, so a contrib node writing to it changes nothing saved.
      for (const n of state.model.all) cb(structuredClone(n));
    },
    missingTypes: () => [...state.missing],
    leftOutNodes: () => leftOutNodes(state),
    validate: (input, serialised) => validate(state, input, serialised),
    async close() {
      await deploying;
      if (state.started) await stopAll(state);
      for (const facility of facilities.values()) {
        const f = facility as { close?: () => unknown };
        if (typeof f.close === 'function') await f.close();
      }
      facilities.clear();
    },
  };
}

export type { Msg, SubflowDef, NodeHost };
