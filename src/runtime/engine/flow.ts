/**
 * One running flow: a tab, the global scope of config nodes, or one instance of a subflow. It
 * owns its nodes, resolves their wires to direct references, and routes errors to catch nodes,
 * status to status nodes and completion to complete nodes, passing what it does not handle up to
 * its parent (a subflow instance's flow), as Node-RED does.
 */
import type { InputHandler, RuntimeServices } from '../definition/index.js';
import type { Hooks } from '../hooks/index.js';
import type { SubflowDef, TabConfig } from '../flow-model/index.js';
import type { ContextScope, FlowConfigNode, LogLevel, Msg, NodeContext, NodeStatus } from '../types.js';
import { RedoubtError } from '../../errors/index.js';
import { cloneMessage } from '../properties/index.js';
import type { NodeScope } from './node-scope.js';
import type { RunQueue } from './run-queue.js';
import { RuntimeNode, type NodeHost } from './runtime-node.js';

export interface FlowDeps {
  services: RuntimeServices;
  queue: RunQueue;
  hooks: Hooks;
  log(level: LogLevel, node: RuntimeNode | undefined, message: unknown): void;
  /** Builds a live node for a config in a flow; undefined when it failed (already reported). A promise only when creation is asynchronous. */
  createNode(config: FlowConfigNode, flow: Flow): RuntimeNode | undefined | Promise<RuntimeNode | undefined>;
  evaluateEnv(entries: unknown, lookup: (name: string) => unknown, flow: Flow): Promise<Record<string, unknown>>;
  nodeContext(nodeId: string, flowId: string): NodeContext;
  flowContext(flowId: string, parentFlowId?: string): ContextScope;
  publishStatus(node: RuntimeNode, status: NodeStatus): void;
  closeTimeoutMs: number;
  getNode(id: string): RuntimeNode | undefined;
  scope: NodeScope;
}

export type FlowKind = 'tab' | 'global' | 'subflow';

interface ScopedHandler {
  node: RuntimeNode;
  scope: unknown;
  uncaught: boolean;
  g?: string;
}

export interface FlowInit {
  id: string;
  kind: FlowKind;
  config: FlowConfigNode;
  nodes: FlowConfigNode[];
  groups: ReadonlyMap<string, FlowConfigNode>;
  parent?: Flow;
  subflowDef?: SubflowDef;
  /** The subflow instance node in the parent flow, for kind 'subflow'. */
  instance?: RuntimeNode;
}

export class Flow implements NodeHost {
  readonly id: string;
  readonly kind: FlowKind;
  readonly config: FlowConfigNode;
  readonly hooks: Hooks;
  readonly parent: Flow | undefined;
  readonly nodes = new Map<string, RuntimeNode>();
  readonly configs = new Map<string, FlowConfigNode>();
  readonly subflows = new Map<string, Flow>();
  private readonly groups: ReadonlyMap<string, FlowConfigNode>;
  private readonly subflowDef: SubflowDef | undefined;
  readonly instance: RuntimeNode | undefined;
  private env: Record<string, unknown> = {};
  private groupEnv = new Map<string, Record<string, unknown>>();
  private catchNodes: ScopedHandler[] = [];
  private statusNodes: ScopedHandler[] = [];
  private completeMap = new Map<string, RuntimeNode[]>();
  private flowCtx: ContextScope | undefined;
  private inPort: RuntimeNode | undefined;
  private statusPort: RuntimeNode | undefined;

  constructor(init: FlowInit, private readonly deps: FlowDeps) {
    this.id = init.id;
    this.kind = init.kind;
    this.config = init.config;
    this.hooks = deps.hooks;
    this.parent = init.parent;
    this.groups = init.groups;
    this.subflowDef = init.subflowDef;
    this.instance = init.instance;
    const nodes = init.nodes;
    for (let i = 0; i < nodes.length; i++) this.configs.set(nodes[i]!.id, nodes[i]!);
  }

  get services(): RuntimeServices {
    return this.deps.services;
  }

  get disabled(): boolean {
    return this.kind === 'tab' && (this.config as TabConfig).disabled === true;
  }

  /** Evaluates env, then creates config nodes first and the rest after, as Node-RED does. */
  async start(only?: ReadonlySet<string>): Promise<void> {
    if (!only) await this.evaluateEnvironment();
    // Two passes in saved order: config nodes (no wires) first, then the rest. Over an array:
    // a Map iterator in this once-per-deploy (cold) code makes a result object per step.
    const configs = [...this.configs.values()];
    for (let pass = 0; pass < 2; pass++) {
      const wired = pass === 1;
      for (let i = 0; i < configs.length; i++) {
        const config = configs[i]!;
        if (Array.isArray(config.wires) !== wired || config.d === true || (only && !only.has(config.id))) continue;
        const created = this.deps.createNode(config, this);
        const node = created instanceof Promise ? await created : created;
        if (node) this.register(node, config);
      }
    }
    if (this.kind === 'subflow' && this.subflowDef && !only) this.createPorts(this.subflowDef);
  }

  private async evaluateEnvironment(): Promise<void> {
    const parentLookup = (name: string) => this.lookupParentEnv(name);
    const envEntries = this.kind === 'subflow' ? mergeEnv(this.subflowDef?.env, this.config.env) : this.config.env;
    this.env = await this.deps.evaluateEnv(envEntries, parentLookup, this);
    for (const group of this.groups.values()) {
      if (group.z !== this.configZ() || !Array.isArray(group.env) || group.env.length === 0) continue;
      const lookup = (name: string) => this.getEnvFromGroup(name, typeof group.g === 'string' ? group.g : undefined);
      this.groupEnv.set(group.id, await this.deps.evaluateEnv(group.env, lookup, this));
    }
  }

  /** The `z` that this flow's nodes carry in flows.json. */
  private configZ(): string {
    return this.kind === 'subflow' ? this.subflowDef!.id : this.id;
  }

  register(node: RuntimeNode, config: FlowConfigNode): void {
    this.nodes.set(node.id, node);
    const type = node.type;
    if (type !== 'catch' && type !== 'status' && type !== 'complete') return;
    let scope = config.scope ?? null;
    if ((node.type === 'status' || node.type === 'complete') && Array.isArray(scope)) {
      // As Node-RED: a watcher never watches the nodes it sends to, so a node reporting back into
      // its own watcher cannot loop.
      const downstream = new Set(node.wires.flat());
      scope = (scope as string[]).filter((id) => !downstream.has(id));
    }
    const handler = { node, scope, uncaught: config.uncaught === true, g: node.g };
    if (node.type === 'catch') this.catchNodes.push(handler);
    else if (node.type === 'status') this.statusNodes.push(handler);
    else if (node.type === 'complete' && Array.isArray(scope)) {
      for (const id of scope as string[]) {
        const list = this.completeMap.get(id) ?? [];
        list.push(node);
        this.completeMap.set(id, list);
      }
    }
  }

  /** Subflow input port: a hidden node that forwards what the instance receives to the inside. */
  private createPorts(def: SubflowDef): void {
    const instance = this.instance!;
    if (def.in.length > 0) {
      this.inPort = new RuntimeNode({ id: `${this.id}:in`, type: 'subflow-port', z: this.id, wires: [] }, this);
      instance.on('input', (msg: Msg) => this.inPort!.send(msg));
    }
    if (def.status && def.status.wires.length > 0) {
      this.statusPort = new RuntimeNode({ id: `${this.id}:status`, type: 'subflow-status', z: this.id, wires: [] }, this);
      this.statusPort.on('input', (msg: Msg) => {
        const p = msg.payload;
        const status = typeof p === 'string' ? { text: p } : p && typeof p === 'object' ? (p as NodeStatus) : { text: String(p ?? '') };
        this.parent?.handleStatus(instance, status);
      });
    }
  }

  /** Resolves every node's wires (and subflow ports) to live nodes. Parents wire before children. */
  wire(): void {
    const def = this.subflowDef;
    const mapId = (id: string) => (this.kind === 'subflow' ? `${this.id}-${id}` : id);
    // Resolution reads only `nodes`, never `targets`, so each node's targets can be set as they are found.
    const nodes = [...this.nodes.values()];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      // map: an array of exactly the ports' length (a pushed-to one reserves room for 17).
      node.targets = node.wires.map((port) => this.resolvePort(port));
    }
    if (def && this.instance) {
      const outputs = this.instance.targets;
      def.out.forEach((port, i) => {
        for (const wire of port.wires) {
          const from = wire.id === def.id ? this.inPort : this.nodes.get(mapId(wire.id));
          if (!from) continue;
          const p = wire.port ?? 0;
          while (from.targets.length <= p) from.targets.push([]);
          from.targets[p] = [...from.targets[p]!, ...(outputs[i] ?? [])];
        }
      });
      if (this.inPort && def.in[0]) {
        const fromIn = def.in[0].wires.filter((w) => w.id !== def.id).map((w) => this.nodes.get(mapId(w.id))).filter((n): n is RuntimeNode => !!n);
        this.inPort.targets = [[...fromIn, ...(this.inPort.targets[0] ?? [])]];
      }
      if (this.statusPort && def.status) {
        for (const wire of def.status.wires) {
          const from = this.nodes.get(mapId(wire.id));
          if (!from) continue;
          const p = wire.port ?? 0;
          while (from.targets.length <= p) from.targets.push([]);
          from.targets[p] = [...from.targets[p]!, this.statusPort];
        }
      }
    }
    for (const child of this.subflows.values()) child.wire();
    // Only now, with every output (subflow ports included) resolved, release deferred sends.
    for (let i = 0; i < nodes.length; i++) nodes[i]!.setTargets(nodes[i]!.targets);
    this.inPort?.setTargets(this.inPort.targets);
    this.statusPort?.setTargets(this.statusPort.targets);
  }

  private resolvePort(port: readonly string[]): RuntimeNode[] {
    // Most ports have one wire: a literal of one, not an array grown by push (room for 17), per port.
    if (port.length === 1) {
      const target = this.resolveTarget(port[0]!);
      return target === undefined ? [] : [target];
    }
    const out: RuntimeNode[] = [];
    for (let i = 0; i < port.length; i++) {
      const target = this.resolveTarget(port[i]!);
      if (target !== undefined) out.push(target);
    }
    return out;
  }

  private resolveTarget(id: string): RuntimeNode | undefined {
    const own = this.nodes.get(this.kind === 'subflow' ? `${this.id}-${id}` : id) ?? this.nodes.get(id);
    // As in Node-RED, a tab's wire may reach a node saved without `z`, which runs in the global scope.
    if (own === undefined && this.kind === 'tab') return this.parent?.nodes.get(id);
    return own;
  }

  async stop(only?: ReadonlySet<string>, removed?: ReadonlySet<string>): Promise<void> {
    const stopping: RuntimeNode[] = [];
    for (const node of this.nodes.values()) if (!only || only.has(node.id)) stopping.push(node);
    // Every close starts in this one pass, as before; only the closes that did not finish at once
    // (and subflow instances) are awaited, so a node without close work costs no promise.
    const waiting: Promise<void>[] = [];
    const timeoutMs = this.deps.closeTimeoutMs;
    const closedAtOnce: RuntimeNode[] = [];
    for (let i = 0; i < stopping.length; i++) {
      const node = stopping[i]!;
      const isRemoved = removed?.has(node.id) ?? !only;
      const child = this.subflows.get(node.id);
      if (child) {
        waiting.push(
          child
            .stop()
            .then(() => {
              this.subflows.delete(node.id);
              return node.close(isRemoved, timeoutMs);
            })
            .then(() => void this.nodes.delete(node.id)),
        );
        continue;
      }
      const closing = node.close(isRemoved, timeoutMs);
      // A node leaves the map when its close is done, as each did before.
      if (closing) waiting.push(closing.then(() => void this.nodes.delete(node.id)));
      else closedAtOnce.push(node);
    }
    for (let i = 0; i < closedAtOnce.length; i++) this.nodes.delete(closedAtOnce[i]!.id);
    if (waiting.length > 0) await Promise.all(waiting);
    const gone = new Set(stopping);
    this.catchNodes = this.catchNodes.filter((h) => !gone.has(h.node));
    this.statusNodes = this.statusNodes.filter((h) => !gone.has(h.node));
    for (const [id, list] of this.completeMap) {
      const kept = list.filter((n) => !gone.has(n));
      if (kept.length) this.completeMap.set(id, kept);
      else this.completeMap.delete(id);
    }
  }

  // ---- NodeHost ----

  callInput(node: RuntimeNode, handler: InputHandler, msg: Msg, done: (err?: unknown) => void): unknown {
    return this.deps.scope.call({ node, msg }, handler, node, msg, node.sendFromHandler, done);
  }

  enqueue(target: RuntimeNode, msg: Msg): void {
    this.deps.queue.push(target, msg);
  }

  getNode(id: string): RuntimeNode | undefined {
    return this.nodes.get(id) ?? this.deps.getNode(id);
  }

  getSetting(name: string): unknown {
    return this.getEnvFromGroup(name, undefined);
  }

  getEnv(name: string, node: RuntimeNode): unknown {
    if (name === 'NR_NODE_ID') return node._alias ?? node.id;
    if (name === 'NR_NODE_NAME') return node.name;
    if (name === 'NR_NODE_PATH') return `${this.path()}/${node._alias ?? node.id}`;
    return this.getEnvFromGroup(name, node.g);
  }

  private getEnvFromGroup(name: string, groupId: string | undefined): unknown {
    let gid = groupId;
    while (gid) {
      const group = this.groups.get(gid);
      if (!group) break;
      if (name === 'NR_GROUP_ID') return group.id;
      if (name === 'NR_GROUP_NAME') return group.name;
      const env = this.groupEnv.get(gid);
      if (env && name in env) return env[name];
      gid = typeof group.g === 'string' ? group.g : undefined;
    }
    if (name in this.env) return this.env[name];
    if (this.kind === 'subflow') {
      if (name === 'NR_SUBFLOW_ID') return this.subflowDef?.id;
      if (name === 'NR_SUBFLOW_NAME') return this.subflowDef?.name;
      if (name === 'NR_SUBFLOW_PATH') return this.path();
    } else if (this.kind === 'tab') {
      if (name === 'NR_FLOW_ID') return this.id;
      if (name === 'NR_FLOW_NAME') return (this.config as TabConfig).label;
    }
    return this.lookupParentEnv(name);
  }

  private lookupParentEnv(name: string): unknown {
    if (this.parent && this.instance) return this.parent.getEnv(name, this.instance);
    if (this.parent) return this.parent.getSetting(name);
    return this.deps.services.getNode === undefined ? undefined : globalEnv(this.deps, name);
  }

  path(): string {
    return this.parent && this.instance ? `${this.parent.path()}/${this.instance._alias ?? this.instance.id}` : this.id;
  }

  nodeContext(node: RuntimeNode): NodeContext {
    return this.deps.nodeContext(node._alias ?? node.id, this.contextId());
  }

  flowContext(): ContextScope {
    this.flowCtx ??= this.deps.flowContext(this.contextId(), this.kind === 'subflow' ? this.parent?.contextId() : undefined);
    return this.flowCtx;
  }

  contextId(): string {
    return this.id;
  }

  log(level: LogLevel, node: RuntimeNode | undefined, message: unknown): void {
    this.deps.log(level, node, message);
  }

  hasCompleteWatchers(node: RuntimeNode): boolean {
    return this.completeMap.size > 0 && this.completeMap.has(node.id);
  }

  handleComplete(node: RuntimeNode, msg: Msg): void {
    for (const target of this.completeMap.get(node.id) ?? []) {
      const out = cloneMessage(msg);
      out.complete = { source: { id: node.id, type: node.type, name: node.name } };
      target.receive(out);
    }
  }

  handleStatus(node: RuntimeNode, status: NodeStatus, reporting: RuntimeNode = node, muted = false): boolean {
    if (!muted) {
      if (status.text !== undefined && typeof status.text !== 'string') status.text = String(status.text);
      this.deps.publishStatus(node, status);
    }
    let handled = false;
    for (const target of this.candidates(this.statusNodes, reporting)) {
      const message: Msg = { status: { ...status, source: { id: node.id, type: node.type, name: node.name } } };
      target.node.receive(message);
      handled = true;
    }
    if (!handled && this.kind === 'subflow' && this.parent && this.instance && (!this.statusPort || node === this.instance)) {
      handled = this.parent.handleStatus(node, status, this.instance, true);
    }
    return handled;
  }

  handleError(node: RuntimeNode, err: unknown, msg: Msg, reporting: RuntimeNode = node): boolean {
    let count = 1;
    const previous = msg?.error as { source?: { id?: string; count?: number } } | undefined;
    if (previous?.source?.id === node.id) {
      count = (previous.source.count ?? 0) + 1;
      if (count === 10) {
        node.warn('Message exceeded maximum number of catches');
        return false;
      }
    }
    let handled = false;
    let handledByUncaught = false;
    for (const target of this.candidates(this.catchNodes, reporting)) {
      if (target.uncaught && !handledByUncaught) {
        if (handled) continue;
        handledByUncaught = true;
      }
      const out: Msg = msg ? cloneMessage(msg) : {};
      if ('error' in out) out._error = out.error;
      const e = err as { code?: unknown; stack?: unknown; cause?: unknown } | null;
      const error: Record<string, unknown> = {
        message: String(err),
        source: { id: node.id, type: node.type, name: node.name, count },
      };
      // Redoubt's own node errors stand for the plain strings Node-RED's core nodes report: the
      // message alone, as there. No stack, code or cause to travel on in the message (a flow that
      // answers an HTTP request with msg.error must not hand out the runtime's file paths).
      if (e && typeof e === 'object' && !(e instanceof RedoubtError)) {
        if ('code' in e) error.code = e.code;
        if ('stack' in e) error.stack = e.stack;
        if ('cause' in e) error.cause = e.cause;
      }
      out.error = error;
      target.node.receive(out);
      handled = true;
    }
    if (!handled && this.kind === 'subflow' && this.parent && this.instance) {
      handled = this.parent.handleError(node, err, msg, this.instance);
    }
    return handled;
  }

  /** Catch or status nodes that see `reporting`, nearest group first (Node-RED 4's order). */
  private candidates(handlers: ScopedHandler[], reporting: RuntimeNode): ScopedHandler[] {
    if (handlers.length === 0) return handlers;
    const found: Array<{ d: number; h: ScopedHandler }> = [];
    const reportingId = reporting._alias ?? reporting.id;
    for (const h of handlers) {
      if (h.g && h.scope === 'group' && !reporting.g) continue;
      if (Array.isArray(h.scope) && !h.scope.includes(reportingId) && !h.scope.includes(reporting.id)) continue;
      let distance = 0;
      if (reporting.g) {
        let group = this.groups.get(reporting.g);
        while (group && group.id !== h.g) {
          distance++;
          group = typeof group.g === 'string' ? this.groups.get(group.g) : undefined;
        }
        if (!group && h.g && h.scope === 'group') continue;
      }
      found.push({ d: distance, h });
    }
    found.sort((a, b) => a.d - b.d);
    return found.map((f) => f.h);
  }
}

function mergeEnv(defEnv: unknown, instanceEnv: unknown): unknown[] {
  const merged = new Map<string, unknown>();
  for (const e of Array.isArray(defEnv) ? defEnv : []) merged.set((e as { name: string }).name, e);
  for (const e of Array.isArray(instanceEnv) ? instanceEnv : []) merged.set((e as { name: string }).name, e);
  return [...merged.values()];
}

function globalEnv(deps: FlowDeps, name: string): unknown {
  const fromGlobalConfig = (deps.services.settings.globalEnv as Record<string, unknown> | undefined)?.[name];
  if (fromGlobalConfig !== undefined) return fromGlobalConfig;
  return process.env[name];
}
