/**
 * The live node object. It is Node-RED's Node API (on('input'), send, done, error, status,
 * context, close with done), so contrib nodes run unchanged, and it is what core node types
 * receive in `create`. Sending resolves wires to direct references at deploy time: no lookup by
 * id per message.
 */
import { EventEmitter } from 'node:events';
import { cloneMessage, generateId } from '../properties/index.js';
import type { CloseHandler, InputHandler, NodeApi, RuntimeServices, SendArg } from '../definition/index.js';
import type { Hooks } from '../hooks/index.js';
import type { LogLevel, Msg, NodeContext, NodeStatus } from '../types.js';
import { completeThroughHooks, receiveThroughHooks, sendThroughHooks } from './hooked-messaging.js';
import { pendingSends, sendSingle, type Outputs } from './pending-sends.js';

/** What a node needs from the flow it lives in. */
export interface NodeHost {
  readonly id: string;
  readonly services: RuntimeServices;
  /** The engine's hooks; the message path reads their flags on every send, delivery and done(). */
  readonly hooks: Hooks;
  /** The subflow instance node, when the host is a subflow instance's flow. */
  readonly instance?: RuntimeNode | undefined;
  enqueue(target: RuntimeNode, msg: Msg): void;
  handleError(node: RuntimeNode, err: unknown, msg: Msg): boolean;
  handleStatus(node: RuntimeNode, status: NodeStatus): void;
  handleComplete(node: RuntimeNode, msg: Msg): void;
  hasCompleteWatchers(node: RuntimeNode): boolean;
  nodeContext(node: RuntimeNode): NodeContext;
  getEnv(name: string, node: RuntimeNode): unknown;
  log(level: LogLevel, node: RuntimeNode, message: unknown): void;
  getNode(id: string): RuntimeNode | undefined;
  getSetting(name: string): unknown;
  /**
   * Calls an input handler of `node` with `node` as the owner of anything it throws later
   * (timers, promises).
   */
  callInput(node: RuntimeNode, handler: InputHandler, msg: Msg, done: (err?: unknown) => void): unknown;
}

export interface RuntimeNodeInit {
  id: string;
  type: string;
  z?: string;
  g?: string;
  name?: string;
  alias?: string;
  wires: string[][];
  credentials?: Record<string, unknown>;
}

type CloseCallback = ((done: () => void) => void) | ((removed: boolean, done: () => void) => void) | (() => unknown);

/**
 * EventEmitter's prototype behind a constructor that sets nothing up: its methods make `_events`
 * at the first listener, so a node that never uses events (nearly all of a large deploy) carries
 * no listener table. `instanceof EventEmitter` still holds.
 */
const LazyEmitter = function LazyEmitter() {} as unknown as typeof EventEmitter;
LazyEmitter.prototype = EventEmitter.prototype;

/**
 * The credentials of a declared node that has none: shared, and frozen, as declared node types
 * only read theirs. A contrib node gets an object of its own (see `initialise`): some write to it.
 */
const NO_CREDENTIALS: Record<string, unknown> = Object.freeze({});

/** The empty handler list every node starts with; frozen, so a missed copy-on-add throws. */
const NO_HANDLERS: never[] = Object.freeze([]) as unknown as never[];

export class RuntimeNode extends LazyEmitter implements NodeApi {
  declare readonly id: string;
  declare readonly type: string;
  declare readonly z: string | undefined;
  declare readonly g: string | undefined;
  declare readonly name: string | undefined;
  declare readonly _alias: string | undefined;
  declare wires: string[][];
  declare credentials: Record<string, unknown>;
  declare readonly _flow: NodeHost;
  /**
   * Resolved wiring: per output, the live nodes it reaches. Set by the flow once every node of
   * the deploy exists; until then (`isWired` false) sends wait in `deferred` and go out in order
   * when the wiring is set, so a node that sends during start-up (inject "once") loses nothing.
   */
  declare targets: RuntimeNode[][];
  declare isWired: boolean;
  declare private deferred: SendArg[] | undefined;
  declare private inputHandlers: InputHandler[];
  declare private closeHandlers: CloseCallback[];
  /** `onClose` of a declared node type, called directly (see addHandlers). */
  declare private declaredCloseHandlers: CloseHandler[];
  declare private ctx: NodeContext | undefined;
  declare private closed: boolean;
  /** The `send` handed to input handlers: one per node, not one per message; see `sendFromHandler`. */
  declare private sendFn: ((msg: SendArg) => void) | undefined;

  constructor(init: RuntimeNodeInit, host: NodeHost) {
    super();
    // The fields as `initialise` sets them, but assigned here: V8 sizes an instance by the
    // assignments in its constructor, so they are kept inside the object rather than in a
    // separate property array per node.
    this.id = init.id;
    this.type = init.type;
    this.z = init.z;
    this.g = init.g || undefined;
    this.name = init.name;
    this._alias = init.alias;
    this.wires = init.wires;
    this.credentials = init.credentials ?? NO_CREDENTIALS;
    this._flow = host;
    this.targets = [];
    this.isWired = false;
    this.deferred = undefined;
    this.inputHandlers = NO_HANDLERS;
    this.closeHandlers = NO_HANDLERS;
    this.declaredCloseHandlers = NO_HANDLERS;
    this.ctx = undefined;
    this.closed = false;
    this.sendFn = undefined;
  }

  /**
   * Sets up a node object. Contrib constructors (plain functions whose prototype chain reaches
   * this class) never run our constructor: `RED.nodes.createNode(this, config)` calls this instead.
   */
  static initialise(target: RuntimeNode, init: RuntimeNodeInit, host: NodeHost): void {
    // The same fields as the constructor sets (keep the two in step).
    // No EventEmitter set-up: its methods make their state at first use (see LazyEmitter).
    const t = target as unknown as Record<string, unknown>;
    t.id = init.id;
    t.type = init.type;
    t.z = init.z;
    t.g = init.g || undefined;
    t.name = init.name;
    t._alias = init.alias;
    t.wires = init.wires;
    t.credentials = init.credentials ?? {};
    t._flow = host;
    t.targets = [];
    t.isWired = false;
    t.deferred = undefined;
    t.inputHandlers = NO_HANDLERS;
    t.closeHandlers = NO_HANDLERS;
    t.declaredCloseHandlers = NO_HANDLERS;
    t.ctx = undefined;
    t.closed = false;
    t.sendFn = undefined;
  }

  /**
   * The `send` handed to input handlers, made at the first message: a deploy of 10,000 nodes,
   * most of which wait long for their first message, then makes no closure per node.
   */
  get sendFromHandler(): (msg: SendArg) => void {
    // The closure is made in a method of its own: V8 allocates a function's context on entry
    // when a closure inside it captures `this`, so a getter holding the arrow would allocate one
    // on every delivery even when it returns the cached function.
    return this.sendFn ?? this.makeSendFn();
  }

  private makeSendFn(): (msg: SendArg) => void {
    const fn = (msg: SendArg) => this.send(msg);
    this.sendFn = fn;
    return fn;
  }

  get runtime(): RuntimeServices {
    return this._flow.services;
  }

  override on(event: string | symbol, handler: (...args: any[]) => unknown): this {
    if (event === 'input') this.inputHandlers = withAdded(this.inputHandlers, handler as InputHandler);
    else if (event === 'close') this.closeHandlers = withAdded(this.closeHandlers, handler as CloseCallback);
    else super.on(event, handler);
    return this;
  }

  override removeListener(event: string | symbol, handler: (...args: any[]) => unknown): this {
    if (event === 'input') this.inputHandlers = this.inputHandlers.filter((h) => h !== handler);
    else if (event === 'close') this.closeHandlers = this.closeHandlers.filter((h) => h !== handler);
    else super.removeListener(event, handler);
    return this;
  }

  override removeAllListeners(event?: string | symbol): this {
    if (event === 'input') this.inputHandlers = NO_HANDLERS;
    else if (event === 'close') this.closeHandlers = NO_HANDLERS;
    else super.removeAllListeners(event);
    return this;
  }

  /** Node-RED emits 'input' through `emit` too; route it to the input handlers. */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'input') {
      this.deliver((args[0] ?? {}) as Msg);
      return this.inputHandlers.length > 0;
    }
    return super.emit(event, ...args);
  }

  addHandlers(handlers: { onInput?: InputHandler; onClose?: CloseHandler }): void {
    if (handlers.onInput) this.inputHandlers = withAdded(this.inputHandlers, handlers.onInput);
    if (handlers.onClose) {
      const onClose = handlers.onClose;
      // A declared node's onClose is called directly: only one that returns a promise is waited
      // for (with the timeout), so stopping 10,000 nodes does not make 10,000 timers.
      this.declaredCloseHandlers = withAdded(this.declaredCloseHandlers, onClose);
    }
  }

  /** Called by the run queue: hands a message to the input handlers, through the hooks if any. */
  deliver(msg: Msg): void {
    // No closure here: one capturing `this` would make V8 allocate a context on every delivery.
    if (this._flow.hooks.receiving) {
      if (!this.closed) receiveThroughHooks(this, msg);
      return;
    }
    this.handOver(msg);
  }

  /** Calls the input handlers with `msg`: a delivery, after the onReceive hooks if any. */
  handOver(msg: Msg): void {
    if (this.closed) return;
    const handlers = this.inputHandlers;
    if (handlers.length === 0) return;
    // The closures are made in methods of their own, so that this one, run on every delivery,
    // has no context for V8 to allocate on entry (see sendFromHandler).
    if (handlers.length === 1) this.invoke(handlers[0]!, msg, this.doneFor(msg));
    else this.handOverToEach(handlers, msg);
  }

  private doneFor(msg: Msg): (err?: unknown) => void {
    return (err) => this.complete(msg, err);
  }

  private handOverToEach(handlers: readonly InputHandler[], msg: Msg): void {
    // Several handlers: complete once all of those that take `done` have called it.
    const expected = handlers.filter((h) => h.length >= 3).length;
    let count = 0;
    for (const handler of handlers) {
      this.invoke(handler, msg, (err) => {
        if (++count === expected) this.complete(msg, err);
      });
    }
  }

  private invoke(handler: InputHandler, msg: Msg, done: (err?: unknown) => void): void {
    try {
      const result = this._flow.callInput(this, handler, msg, done);
      if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
        this.watchSettling(result as Promise<unknown>, msg);
      }
    } catch (err) {
      this.error(err, msg);
    }
  }

  /** A rejected promise from an async handler is that node's error, never an unhandled rejection. */
  private watchSettling(result: Promise<unknown>, msg: Msg): void {
    result.then(undefined, (err: unknown) => this.error(err, msg));
  }

  get inputHandlerCount(): number {
    return this.inputHandlers.length;
  }

  settle(msg: Msg): void {
    this.complete(msg);
  }

  get completionWatched(): boolean {
    return this._flow.hooks.completing || this._flow.hasCompleteWatchers(this);
  }

  private complete(msg: Msg, err?: unknown): void {
    if (this._flow.hooks.completing) completeThroughHooks(this, msg, err);
    if (err) this.error(err, msg);
    else if (this._flow.hasCompleteWatchers(this)) this._flow.handleComplete(this, msg);
  }

  receive(msg?: Msg): void {
    const m = msg ?? {};
    if (!m._msgid) m._msgid = generateId();
    this.deliver(m);
  }

  /** Sets the resolved wiring and sends what waited for it. */
  setTargets(targets: RuntimeNode[][]): void {
    this.targets = targets;
    this.isWired = true;
    const waiting = this.deferred;
    this.deferred = undefined;
    if (waiting) for (const arg of waiting) this.send(arg);
  }

  send(arg: SendArg): void {
    if (arg === null || arg === undefined) return;
    if (!this.isWired) {
      (this.deferred ??= []).push(arg);
      return;
    }
    if (this._flow.hooks.routing) {
      sendThroughHooks(this, arg);
      return;
    }
    const targets = this.targets;
    if (!Array.isArray(arg)) {
      if (typeof arg !== 'object') {
        this.error(`Function tried to send a message of type ${typeof arg}`);
        return;
      }
      const msg = arg as Msg;
      const wired = targets[0];
      if (!wired || wired.length === 0) return;
      if (!msg._msgid) msg._msgid = generateId();
      if (wired.length === 1) {
        this._flow.enqueue(wired[0]!, msg);
        return;
      }
      // Node-RED's rule: the first delivery gets the original, every other a clone, all cloned
      // before any is delivered, and delivered in wire order.
      const clones = new Array<Msg>(wired.length - 1);
      for (let j = 1; j < wired.length; j++) clones[j - 1] = cloneMessage(msg);
      this._flow.enqueue(wired[0]!, msg);
      for (let j = 1; j < wired.length; j++) this._flow.enqueue(wired[j]!, clones[j - 1]!);
      return;
    }
    if (sendSingle(this, arg as Outputs)) return;
    const sends = pendingSends(this, arg as Outputs);
    if (sends.length === 0) return;
    // Clone everything before delivering anything, as Node-RED does.
    const msgs = sends.map((p) => (p.clone ? cloneMessage(p.msg) : p.msg));
    for (let i = 0; i < sends.length; i++) this._flow.enqueue(sends[i]!.target, msgs[i]!);
  }

  error(err: unknown, msg?: Msg): void {
    const handled = msg !== undefined && msg !== null && typeof msg === 'object' ? this._flow.handleError(this, err ?? 'error', msg) : false;
    if (!handled) this._flow.log('error', this, err);
  }

  warn(message: unknown): void {
    this._flow.log('warn', this, message);
  }

  log(message: unknown): void {
    this._flow.log('info', this, message);
  }

  debug(message: unknown): void {
    this._flow.log('debug', this, message);
  }

  trace(message: unknown): void {
    this._flow.log('trace', this, message);
  }

  metric(): boolean {
    return false;
  }

  status(status: NodeStatus | string): void {
    const s: NodeStatus = typeof status === 'string' ? { text: status } : status ?? {};
    this._flow.handleStatus(this, s);
  }

  context(): NodeContext {
    this.ctx ??= this._flow.nodeContext(this);
    return this.ctx;
  }

  getEnv(name: string): unknown {
    return this._flow.getEnv(name, this);
  }

  /** Node-RED's `updateWires`: flows call it on a rewire-only deploy. */
  updateWires(wires: string[][]): void {
    this.wires = wires;
  }

  get outputCount(): number {
    return this.wires.length;
  }

  /**
   * Runs every close handler; each has `timeoutMs` before the stop moves on without it. Returns
   * nothing when every handler finished at once (most nodes): stopping 10,000 nodes then makes no
   * promise per node. Called as Node-RED's `node.close(removed)` (specs do, then `.then(...)`),
   * without a timeout, it always returns a promise, settled when every handler is done.
   */
  close(removed?: boolean): Promise<void>;
  close(removed: boolean, timeoutMs: number): Promise<void> | undefined;
  close(removed = false, timeoutMs?: number): Promise<void> | undefined {
    this.closed = true;
    const pending: Promise<void>[] = [];
    for (const onClose of this.declaredCloseHandlers) {
      try {
        const r = onClose.call(this, removed);
        if (r && typeof (r as Promise<unknown>).then === 'function') {
          pending.push(Promise.resolve(r).then(() => undefined, (err: unknown) => this.error(err)));
        }
      } catch (err) {
        this.error(err);
      }
    }
    for (const handler of this.closeHandlers) {
      if (handler.length === 0) {
        try {
          const r = (handler as () => unknown).call(this);
          if (r && typeof (r as Promise<unknown>).then === 'function') pending.push(Promise.resolve(r).then(() => undefined));
        } catch (err) {
          this.error(err);
        }
        continue;
      }
      pending.push(
        new Promise<void>((resolve) => {
          const done = () => resolve();
          try {
            if (handler.length >= 2) (handler as (removed: boolean, done: () => void) => void).call(this, removed, done);
            else (handler as (done: () => void) => void).call(this, done);
          } catch (err) {
            this.error(err);
            resolve();
          }
        }),
      );
    }
    this.inputHandlers = NO_HANDLERS;
    if (timeoutMs === undefined) return Promise.all(pending).then(() => undefined);
    if (pending.length === 0) return undefined;
    return this.awaitClose(pending, timeoutMs);
  }

  private async awaitClose(pending: Promise<void>[], timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([Promise.all(pending).then(() => 'closed' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') this._flow.log('warn', this, `close timed out after ${timeoutMs} ms`);
  }
}

/** Appends in place, except to the shared empty list, which is replaced by a list of its own. */
function withAdded<T>(list: T[], item: T): T[] {
  if (list === NO_HANDLERS) return [item];
  list.push(item);
  return list;
}
