/**
 * The flow engine: takes a flows configuration, validates it against the registered node types,
 * and runs it; redeploys with Node-RED's deployment types (full, flows, nodes, reload). A deploy
 * that is refused changes nothing: the running flows stay as they were.
 */
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { ValidationError, type ValidationIssue } from '../../errors/index.js';
import { readProperties, type NodeApi, type NodeDefinition, type RuntimeServices, type RuntimeSettings } from '../definition/index.js';
import { diffFlows, parseFlows, sameNode, type FlowModel, type SubflowDef } from '../flow-model/index.js';
import { evaluateEnvEntries, hasEnvVarProperties, mapEnvVarProperties, type EnvEntry } from '../properties/index.js';
import { createHooks, type Hooks } from '../hooks/index.js';
import type { Registry } from '../registry.js';
import type { ContextScope, FlowConfigNode, LogEntry, LogLevel, Msg, NodeContext, NodeStatus } from '../types.js';
import { Flow, type FlowDeps } from './flow.js';
import { createRunQueue } from './run-queue.js';
import { RuntimeNode, type NodeHost } from './runtime-node.js';
import { createContribNode } from './contrib-node.js';
import { createNodeScope, type NodeScope } from './node-scope.js';
import { findWaitingConfigs, missingTypesOf } from './missing-types.js';

export type DeploymentType = 'full' | 'flows' | 'nodes' | 'reload';

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

export interface SetFlowsOptions {
  deploymentType?: DeploymentType;
  /** Decrypted credentials by node id. */
  credentials?: Record<string, Record<string, unknown>>;
  /**
   * The input as JSON text (UTF-8), when the caller has it: the text the flows were read from, or
   * the one they are saved as (the server's flows file, compact or indented). The rev is its
   * hash, so the same saved flows keep one rev across restarts and the flows need not be
   * serialised again. Without it, the rev is the hash of `JSON.stringify` of the flows.
   */
  serialised?: Uint8Array;
}

export interface Engine {
  setFlows(input: unknown, options?: SetFlowsOptions): Promise<{ rev: string }>;
  getFlows(): { flows: FlowConfigNode[]; rev: string };
  startFlows(): Promise<void>;
  stopFlows(): Promise<void>;
  state(): 'start' | 'stop';
  getNode(id: string): RuntimeNode | undefined;
  eachNode(cb: (node: RuntimeNode) => void): void;
  /**
   * Starts the tabs that waited for types now registered (a node set enabled again), leaving
   * running tabs alone; the ids started. Nothing while the flows are stopped.
   */
  startWaiting(): Promise<string[]>;
  /** Node types used by the flows that are not registered; their flows wait. */
  missingTypes(): string[];
  /**
   * Validates without deploying: every issue in the flows, or none. `serialised` is the input as
   * JSON text (compact or indented) when the caller made it: a text without `${` or `$(` tells
   * that no node refers to env vars, so no node need be searched for one.
   */
  validate(input: unknown, serialised?: string): ValidationIssue[];
  readonly services: RuntimeServices;
  /** 'publish' (topic, data) for the comms, 'log' (entry), 'flows:started', 'flows:stopped'. */
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
  /**
   * Typed configs read at the last validation, by the saved node object, for node creation to
   * reuse; dropped when that deploy ends. A Map, not a WeakMap: 10,000 ephemeron entries cost
   * every garbage collection during the deploy, and the entries live no longer than it anyway.
   */
  let validatedConfigs = new Map<FlowConfigNode, Record<string, unknown>>();
  /**
   * The last input `validate` accepted, by identity. A deploy of that same array (the server
   * validates, saves, then deploys) skips parsing and validating it again; any other input,
   * including a copy, is validated in full.
   */
  let lastValidated: { input: unknown; model: FlowModel } | undefined;
  /**
   * The definition each node type was accepted with. Reading and checking a node depends only on
   * its config and its definition, so a running node saved again unchanged, under the same
   * definition, is not checked again: a 'nodes' deploy that edits one node of 10,000 does not
   * re-read the other 9,999. By type, not by node: a model runs only when every node of a
   * declared type was accepted, and one validation sees one definition per type.
   */
  const acceptedWith = new WeakMap<FlowModel, Map<string, NodeDefinition<any>>>();
  const scope = createNodeScope();
  let model: FlowModel = parseFlows([]);
  let credentials: Record<string, Record<string, unknown>> = {};
  /**
   * Whether any node has credentials: nearly no node of a large flow does, and looking each of
   * 10,000 ids up in an empty object still costs a string-table probe per id.
   */
  let anyCredentials = false;
  const setCredentials = (next: Record<string, Record<string, unknown>>) => {
    credentials = next;
    anyCredentials = Object.keys(next).length > 0;
  };
  let rev = revOf([]);
  const flows = new Map<string, Flow>();
  let missing: string[] = [];
  /**
   * Config nodes without a tab that wait for a missing type, with the types; not created until
   * those types are registered. Found again whenever the model or the registered types may
   * have changed (a start, a deploy, `startWaiting`).
   */
  let waitingConfigs: ReadonlyMap<string, string[]> = new Map();
  const isRegistered = (type: string) => registry.has(type);
  let started = false;
  let deploying: Promise<unknown> = Promise.resolve();

  const log = (level: LogLevel, node: RuntimeNode | undefined, message: unknown) => {
    const entry: LogEntry = { level, msg: message, id: node?.id, type: node?.type, name: node?.name, z: node?.z };
    if (node?._alias) entry.path = node._flow && 'path' in node._flow ? String((node._flow as Flow).path()) : undefined;
    options.log(entry);
    events.emit('log', entry);
  };

  const queue = createRunQueue((err, target) => {
    if (target instanceof RuntimeNode) target.error(err);
    else log('error', undefined, err);
  });

  const getNode = (id: string): RuntimeNode | undefined => {
    for (const flow of flows.values()) {
      const n = flow.nodes.get(id);
      if (n) return n;
    }
    return undefined;
  };

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
        credentials: credentials[flow.config.id],
        onError: (name, err) => log('warn', undefined, `env '${name}' of ${flow.kind} '${flow.id}': ${err.message}`),
      });
    },
    createNode: (config, flow) => createNode(config, flow),
  };

  /**
   * Builds one live node. Synchronous unless the node's `create` (or a subflow instance) is
   * asynchronous: a deploy of 10,000 nodes then makes no promise and no microtask per node.
   */
  function createNode(raw: FlowConfigNode, flow: Flow): RuntimeNode | undefined | Promise<RuntimeNode | undefined> {
    const isSubflowCopy = flow.kind === 'subflow';
    const config: FlowConfigNode = isSubflowCopy ? remapSubflowNode(raw, flow.id, flow.configs) : raw;
    if (config.type.startsWith('subflow:')) return createSubflowInstance(config, flow);
    const entry = registry.get(config.type);
    if (!entry) {
      log('error', undefined, `node '${config.id}' has unknown type '${config.type}'`);
      return undefined;
    }
    const alias = isSubflowCopy ? raw.id : undefined;
    const read = isSubflowCopy ? undefined : validatedConfigs.get(raw);
    let substituted = config;
    // A contrib constructor may write to its config, so it always gets a copy of its own; core
    // definitions never write to theirs, and without a `${VAR}` to fill in need none.
    if (!read && (entry.kind === 'constructor' || hasEnvVarProperties(config))) {
      const like = nodeLikeOf(config, alias);
      // A new object: the saved config is never written to.
      substituted = mapEnvVarProperties(config, (name: string) => flow.getEnv(name, like));
    }
    const init = {
      id: config.id,
      type: config.type,
      z: isSubflowCopy ? flow.id : config.z,
      g: typeof config.g === 'string' ? config.g : undefined,
      name: typeof config.name === 'string' ? config.name : undefined,
      alias,
      wires: Array.isArray(config.wires) ? config.wires : [],
      credentials: anyCredentials ? credentials[raw.id] : undefined,
    };
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
          (err: unknown) => creationFailed(config, alias, err),
        );
      }
      if (handlers) node.addHandlers(handlers);
      return node;
    } catch (err) {
      return creationFailed(config, alias, err);
    }
  }

  /** The node as log lines and env lookups see it before it exists. */
  function nodeLikeOf(config: FlowConfigNode, alias: string | undefined): RuntimeNode {
    return { id: config.id, name: config.name, g: config.g, _alias: alias } as RuntimeNode;
  }

  function creationFailed(config: FlowConfigNode, alias: string | undefined, err: unknown): undefined {
    log('error', nodeLikeOf(config, alias), `failed to start node '${config.id}' (${config.type}): ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }

  async function createSubflowInstance(config: FlowConfigNode, parent: Flow): Promise<RuntimeNode | undefined> {
    const defId = config.type.slice('subflow:'.length);
    const def = model.subflows.get(defId);
    if (!def) {
      log('error', undefined, `node '${config.id}' uses subflow '${defId}', which does not exist`);
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

  /** Node types a tab (with the subflows and shared config nodes it uses) needs that are not registered, in the order first used. */
  function missingFor(flowId: string): string[] {
    return missingTypesOf(model, flowId, { isRegistered, waitingConfigs });
  }

  /** Every missing type the flows wait for: the tabs' and the shared config nodes'. */
  function findMissing(): string[] {
    const out = new Set<string>();
    for (const id of model.tabs.keys()) for (const type of missingFor(id)) out.add(type);
    for (const types of waitingConfigs.values()) for (const type of types) out.add(type);
    return [...out];
  }

  const describeTypes = (types: readonly string[]) => types.map((t) => (registry.isDisabled(t) ? `${t} (disabled)` : t)).join(', ');

  /**
   * Creates the shared config nodes that waited for types now registered, before the tabs that
   * use them start; the ids created.
   */
  async function startReadyConfigs(): Promise<string[]> {
    const globals = globalFlow();
    if (!globals) return [];
    const ready = model.globalNodes.filter((n) => n.d !== true && !globals.configs.has(n.id) && !waitingConfigs.has(n.id));
    if (ready.length === 0) return [];
    for (const node of ready) globals.configs.set(node.id, node);
    const ids = ready.map((n) => n.id);
    await globals.start(new Set(ids));
    globals.wire();
    return ids;
  }

  async function startFlow(id: string): Promise<void> {
    const tab = model.tabs.get(id);
    if (!tab || tab.disabled === true) return;
    const waiting = missingFor(id);
    if (waiting.length > 0) {
      // An installed type the operator disabled waits the same way, but says why.
      log('warn', undefined, `flow '${tab.label ?? id}' waits for missing node types: ${describeTypes(waiting)}`);
      return;
    }
    const flow = new Flow({ id, kind: 'tab', config: tab, nodes: model.nodesByParent.get(id) ?? [], groups: model.groups, parent: globalFlow() }, deps);
    flows.set(id, flow);
    await flow.start();
  }

  function globalFlow(): Flow | undefined {
    return flows.get('global');
  }

  async function startAll(): Promise<void> {
    waitingConfigs = findWaitingConfigs(model, isRegistered);
    missing = findMissing();
    const globalConfig = model.globalNodes.find((n) => n.type === 'global-config');
    // A config node that waits is left out until its types come (`startReadyConfigs`).
    const shared = waitingConfigs.size === 0 ? [...model.globalNodes] : model.globalNodes.filter((n) => !waitingConfigs.has(n.id));
    const globals = new Flow(
      { id: 'global', kind: 'global', config: { id: 'global', type: 'global', env: globalConfig?.env }, nodes: shared, groups: model.groups },
      deps,
    );
    flows.set('global', globals);
    await globals.start();
    for (const id of model.tabs.keys()) await startFlow(id);
    rewire();
    started = true;
    events.emit('flows:started', { rev });
    log('info', undefined, 'Started flows');
  }

  async function stopAll(): Promise<void> {
    const all = [...flows.values()].reverse();
    await Promise.all(all.filter((f) => f.id !== 'global').map((f) => f.stop()));
    await globalFlow()?.stop();
    flows.clear();
    queue.clear();
    started = false;
    events.emit('flows:stopped');
    log('info', undefined, 'Stopped flows');
  }

  function rewire(): void {
    globalFlow()?.wire();
    for (const flow of flows.values()) if (flow.id !== 'global') flow.wire();
  }

  function validate(input: unknown, serialised?: string): ValidationIssue[] {
    let next: FlowModel;
    try {
      next = parseFlows(input);
    } catch (err) {
      if (err instanceof ValidationError) return [...err.issues];
      throw err;
    }
    const issues = validateNodes(next, serialised === undefined || mayReferToEnv(serialised));
    // The server validates before saving, then deploys the same array: keep the work for it.
    lastValidated = issues.length === 0 ? { input, model: next } : undefined;
    return issues;
  }

  function validateNodes(next: FlowModel, mayUseEnv = true): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    validatedConfigs = new Map();
    const runningDefs = acceptedWith.get(model);
    const accepted = new Map<string, NodeDefinition<any>>();
    acceptedWith.set(next, accepted);
    const all = next.all;
    for (let i = 0; i < all.length; i++) {
      const node = all[i]!;
      const entry = registry.get(node.type);
      if (!entry || entry.kind !== 'definition') continue;
      const def = entry.def;
      const running = runningDefs && model.byId.get(node.id);
      if (running && runningDefs.get(running.type) === def && sameNode(running, node)) {
        accepted.set(node.type, def);
        continue;
      }
      const before = issues.length;
      let migrated: FlowConfigNode;
      try {
        migrated = def.migrate ? def.migrate(node) : node;
      } catch (err) {
        issues.push({ code: 'invalid_node', nodeId: node.id, message: `cannot read node '${node.id}' (${node.type}): ${(err as Error).message}` });
        continue;
      }
      // Values filled from ${ENV} at start are checked when the node starts, not here.
      const usesEnv = mayUseEnv && nodeUsesEnv(migrated);
      const checkable = usesEnv
        ? Object.fromEntries(Object.entries(migrated).map(([k, v]) => [k, typeof v === 'string' && v.includes('${') ? undefined : v]))
        : migrated;
      // A copy made by `migrate` or for the check above is this read's own to fill in.
      const { config, issues: found } = readProperties(def.properties, checkable, node.id, checkable !== node);
      for (let k = 0; k < found.length; k++) issues.push(found[k]!);
      // Node creation reuses what was read here rather than migrating and reading it again.
      if (!usesEnv && found.length === 0) validatedConfigs.set(node, config);
      if (found.length === 0 && def.validate) {
        try {
          const more = def.validate(config as never);
          for (let k = 0; k < more.length; k++) issues.push(more[k]!);
        } catch (err) {
          issues.push({ code: 'invalid_node', nodeId: node.id, message: `node '${node.id}' (${node.type}): ${(err as Error).message}` });
        }
      }
      if (issues.length === before) accepted.set(node.type, def);
    }
    // A refused set is never created: nothing of it is kept.
    if (issues.length > 0) validatedConfigs = new Map();
    return issues;
  }

  async function deploy(input: unknown, opts: SetFlowsOptions): Promise<{ rev: string }> {
    const known = lastValidated && isSameInput(lastValidated, input) ? lastValidated.model : undefined;
    lastValidated = undefined;
    const next = known ?? parseFlows(input);
    const issues = known ? [] : validateNodes(next);
    if (issues.length > 0) throw new ValidationError('Deploy refused: the flows have invalid nodes', issues);
    const type = opts.deploymentType ?? 'full';
    const previous = model;
    const nextCredentials = opts.credentials ? { ...credentials, ...opts.credentials } : credentials;
    const nextRev = opts.serialised !== undefined ? revOfText(opts.serialised) : revOf(next.all);
    if (type === 'full' || type === 'reload' || !started) {
      await stopAll();
      model = next;
      setCredentials(nextCredentials);
      rev = nextRev;
      await startAll();
      reportMissing(type);
      return { rev };
    }
    const diff = diffFlows(previous, next);
    model = next;
    setCredentials(nextCredentials);
    rev = nextRev;
    if (diff.flows.has('global')) {
      // Config nodes without a tab are shared: restart everything that could use them.
      await stopAll();
      await startAll();
      reportMissing(type);
      return { rev };
    }
    // The shared config nodes did not change, but a type may have come since they were checked.
    waitingConfigs = findWaitingConfigs(model, isRegistered);
    await startReadyConfigs();
    if (type === 'flows') {
      for (const id of diff.flows) {
        await flows.get(id)?.stop();
        flows.delete(id);
        await startFlow(id);
      }
    } else {
      for (const id of diff.flows) {
        const flow = flows.get(id);
        const tabChanged = diff.changed.has(id) || diff.added.has(id) || diff.removed.has(id);
        if (!flow || tabChanged || missingFor(id).length > 0) {
          await flow?.stop();
          flows.delete(id);
          await startFlow(id);
          continue;
        }
        const restart = new Set([...diff.changed, ...diff.removed].filter((n) => flow.nodes.has(n)));
        await flow.stop(restart, diff.removed);
        for (const id2 of [...restart, ...diff.added]) {
          const cfg = next.byId.get(id2);
          if (cfg && cfg.z === id) flow.configs.set(id2, cfg);
          else flow.configs.delete(id2);
        }
        for (const id2 of diff.removed) flow.configs.delete(id2);
        for (const id2 of diff.rewired) {
          const cfg = next.byId.get(id2);
          const live = flow.nodes.get(id2);
          if (cfg && live) {
            live.updateWires(Array.isArray(cfg.wires) ? cfg.wires : []);
            flow.configs.set(id2, cfg);
          }
        }
        const toStart = new Set([...restart, ...diff.added].filter((n) => next.byId.get(n)?.z === id));
        await flow.start(toStart);
      }
    }
    missing = findMissing();
    // Wires never leave their tab (links go through link nodes), so only the tabs touched here
    // have anything to resolve again.
    for (const id of diff.flows) flows.get(id)?.wire();
    events.emit('flows:started', { rev, type, diff });
    reportMissing(type);
    return { rev };
  }

  /**
   * One line per deploy naming what the flows still wait for: a 'flows' or 'nodes' deploy logs
   * the tabs it restarted, not the ones that went on waiting untouched.
   */
  function reportMissing(type: DeploymentType): void {
    if (missing.length > 0) log('warn', undefined, `deployed (${type}); the flows wait for missing node types: ${describeTypes(missing)}`);
  }

  /** A 'flows' deploy of unchanged flows would not do this: its diff is empty. */
  async function startWaiting(): Promise<string[]> {
    if (!started) return [];
    waitingConfigs = findWaitingConfigs(model, isRegistered);
    await startReadyConfigs();
    const ids = [...model.tabs.keys()].filter((id) => !flows.has(id) && model.tabs.get(id)!.disabled !== true && missingFor(id).length === 0);
    for (const id of ids) await startFlow(id);
    for (const id of ids) flows.get(id)?.wire();
    missing = findMissing();
    if (ids.length > 0) log('info', undefined, `Started flows that waited for node types: ${ids.map((id) => model.tabs.get(id)!.label ?? id).join(', ')}`);
    return ids;
  }

  return {
    services,
    events,
    scope,
    hooks,
    startWaiting() {
      // Serialised with deploys: it reads the model a deploy may be replacing.
      const run = deploying.then(startWaiting);
      deploying = run.catch(() => undefined);
      return run;
    },
    setFlows(input, opts = {}) {
      // Deploys are serialised: each starts from the state the previous one left.
      const run = deploying.then(() =>
        deploy(input, opts).finally(() => {
          // Only this deploy's node creation needed them; the saved nodes live on in the model.
          validatedConfigs = new Map();
        }),
      );
      deploying = run.catch(() => undefined);
      return run;
    },
    getFlows: () => ({ flows: [...model.all], rev }),
    async startFlows() {
      if (!started) await startAll();
    },
    async stopFlows() {
      if (started) await stopAll();
    },
    state: () => (started ? 'start' : 'stop'),
    getNode,
    eachNode(cb) {
      for (const flow of flows.values()) for (const n of flow.nodes.values()) cb(n);
    },
    missingTypes: () => [...missing],
    validate,
    async close() {
      await deploying;
      if (started) await stopAll();
      for (const facility of facilities.values()) {
        const f = facility as { close?: () => unknown };
        if (typeof f.close === 'function') await f.close();
      }
      facilities.clear();
    },
  };
}

/** A node of a subflow definition, copied for one instance: new id, wires and scopes remapped. */
function remapSubflowNode(raw: FlowConfigNode, instanceId: string, inside: ReadonlyMap<string, unknown>): FlowConfigNode {
  // Only ids of the definition's own nodes move; links to nodes outside it stay as they are.
  const map = (id: string) => (inside.has(id) ? `${instanceId}-${id}` : id);
  const copy: FlowConfigNode = { ...raw, id: map(raw.id), z: instanceId };
  if (Array.isArray(raw.wires)) copy.wires = raw.wires.map((port) => port.map(map));
  if (Array.isArray(raw.scope)) copy.scope = (raw.scope as string[]).map(map);
  if (Array.isArray(raw.links)) copy.links = (raw.links as string[]).map(map);
  return copy;
}

/** The very array `validate` saw, holding the very node objects it read (nothing swapped since). */
function isSameInput(last: { input: unknown; model: FlowModel }, input: unknown): boolean {
  if (last.input !== input || !Array.isArray(input) || input.length !== last.model.all.length) return false;
  for (let i = 0; i < input.length; i++) if (input[i] !== last.model.all[i]) return false;
  return true;
}

/**
 * Keys whose values are never filled from env vars (see mapEnvVarProperties) and that no
 * declared property reads: skipped, as a large flow's wires alone are most of its strings.
 */
const NEVER_SUBSTITUTED = new Set(['id', 'type', 'z', 'wires', 'x', 'y']);

/** Whether a node's settings (its keys but the structural ones) refer to `${VAR}`. */
function nodeUsesEnv(node: FlowConfigNode): boolean {
  for (const key in node) {
    if (!NEVER_SUBSTITUTED.has(key) && hasEnvReference((node as Record<string, unknown>)[key], 1)) return true;
  }
  return false;
}

/** Whether a JSON text holds `${` or `$(` anywhere: JSON never escapes either, so no string of it can without. */
function mayReferToEnv(serialised: string): boolean {
  // One pass over the text (megabytes for a large flow), from one `$` to the next.
  for (let at = serialised.indexOf('$'); at !== -1; at = serialised.indexOf('$', at + 1)) {
    const next = serialised.charCodeAt(at + 1);
    if (next === 0x7b || next === 0x28) return true;
  }
  return false;
}

/** Whether any string in a node's config (nested lists and objects too) refers to `${VAR}`. */
function hasEnvReference(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.indexOf('$') !== -1 && (value.includes('${') || value.includes('$('));
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasEnvReference(value[i], depth + 1)) return true;
    return false;
  }
  for (const key in value) if (hasEnvReference((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

function revOf(all: readonly FlowConfigNode[]): string {
  return revOfText(JSON.stringify(all));
}

function revOfText(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export type { Msg, SubflowDef, NodeHost };
