/**
 * What a node implementation sees: the node object (Node-RED's Node API, so contrib nodes work
 * unchanged) and the services of the runtime it runs in. Transport-free: no HTTP here.
 */
import type { Msg, NodeContext, NodeStatus, PropertyHost } from '../types.js';
import type { HttpEndpoints } from './http-endpoints.js';

/** `send` accepts what Node-RED's does: one msg, or an array with one entry per output, each a msg, an array of msgs, or null. */
export type SendArg = Msg | null | undefined | ReadonlyArray<Msg | null | undefined | ReadonlyArray<Msg | null | undefined>>;
export type SendFn = (msg: SendArg) => void;
export type DoneFn = (err?: unknown) => void;
export type InputHandler = (msg: Msg, send: SendFn, done: DoneFn) => unknown;
export type CloseHandler = (removed: boolean) => void | Promise<void>;

export interface NodeHandlers {
  onInput?: InputHandler;
  onClose?: CloseHandler;
}

/** Publishes to the editor's comms topics (`debug`, `status/<id>`, `notification/...`). */
export type Publish = (topic: string, data: unknown) => void;

export interface RuntimeSettings {
  /** Allow the exec node to run commands. Off by default; a deploy using exec is refused to run otherwise. */
  execEnabled?: boolean;
  /** Node-RED's `functionExternalModules`: allow `libs` in function nodes. */
  functionExternalModules?: boolean;
  /** Modules function nodes may load when functionExternalModules is on; absent: any non-built-in. */
  functionExternalModulesAllow?: string[];
  functionGlobalContext?: Record<string, unknown>;
  /** Limits applied per function-node call. */
  functionTimeoutMs?: number;
  functionMemoryMb?: number;
  /** Maximum length of debug output sent to the editor (Node-RED's debugMaxLength). */
  debugMaxLength?: number;
  /** Maximum length of a debug node's status text (Node-RED's debugStatusLength, default 32). */
  debugStatusLength?: number;
  /** Colour the debug node's console output (Node-RED's debugUseColors, default false). */
  debugUseColors?: boolean;
  /** Node-RED's fileWorkingDirectory, the base of relative paths in file nodes. */
  fileWorkingDirectory?: string;
  /** Node-RED's nodeMessageBufferMaxLength: max messages held by delay, join, sort... (0 = unlimited). */
  nodeMessageBufferMaxLength?: number;
  /** Node-RED's httpRequestTimeout: ms an `http request` waits for the whole exchange (default 120000); msg.requestTimeout overrides. */
  httpRequestTimeout?: number;
  /** Seconds to wait for a node's close handler before moving on (Node-RED: 15). */
  nodeCloseTimeout?: number;
  [key: string]: unknown;
}

/** The runtime services a node can reach. One object per engine, shared by its nodes. */
export interface RuntimeServices {
  readonly settings: RuntimeSettings;
  readonly userDir: string;
  readonly publish: Publish;
  /** Any live node by id, including config nodes (what `RED.nodes.getNode` returns). */
  getNode(id: string): NodeApi | undefined;
  /** Deliver a message to a node asynchronously, through the run queue (link nodes). */
  deliver(target: NodeApi, msg: Msg, source?: NodeApi): void;
  /** Live nodes of a type (link nodes resolve names this way). */
  nodesOfType(type: string): NodeApi[];
  /** Shared facilities created lazily by node types (function sandbox pool...). */
  facility<T>(name: string, create: () => T): T;
  /**
   * The HTTP endpoints of the server hosting this runtime (`http in`, websocket listeners).
   * Absent when no server is attached (a bare library runtime); the server that composes the
   * runtime sets it before the first deploy, hence not readonly.
   */
  http?: HttpEndpoints;
}

export interface NodeApi extends PropertyHost {
  readonly id: string;
  readonly type: string;
  readonly name: string | undefined;
  readonly z: string | undefined;
  readonly g: string | undefined;
  /** Original id of a node inside a subflow instance (Node-RED's `_alias`). */
  readonly _alias?: string;
  readonly wires: string[][];
  readonly credentials: Record<string, unknown>;
  readonly runtime: RuntimeServices;
  send(msg: SendArg): void;
  receive(msg?: Msg): void;
  error(err: unknown, msg?: Msg): void;
  warn(message: unknown): void;
  log(message: unknown): void;
  debug(message: unknown): void;
  trace(message: unknown): void;
  status(status: NodeStatus | string): void;
  context(): NodeContext;
  /** How many input handlers the node has; with exactly one, `done()` is `settle(msg)`. */
  readonly inputHandlerCount: number;
  /**
   * What a message's `done()` does when the node has one input handler: reports the message to
   * the complete nodes watching this one. A node that holds many messages until a sequence ends
   * (join) keeps the messages and settles them, instead of keeping a closure per message.
   */
  settle(msg: Msg): void;
  /**
   * Whether a complete node watches this one now. When none does, `settle` does nothing, so a node
   * holding a long sequence need not keep its messages alive only to settle them.
   */
  readonly completionWatched: boolean;
  on(event: 'input', handler: InputHandler): this;
  on(event: 'close', handler: ((done: () => void) => void) | ((removed: boolean, done: () => void) => void) | (() => unknown)): this;
  on(event: string, handler: (...args: any[]) => unknown): this;
}
