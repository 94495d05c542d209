import type { Msg, NodeContext, NodeStatus } from '../../runtime/types.js';

/**
 * What a function node sends: one entry per output, each a list of messages or null to skip
 * that output. This is Node-RED's `send()` shape after normalisation, so `return msg` becomes
 * `[[msg]]` and `return [null, [a, b]]` stays as it is.
 */
export type OutputMessages = Array<Msg[] | null>;

/** Log levels user code can write to through `node.log/warn/debug/trace` and `console.*`. */
export type SandboxLogLevel = 'info' | 'warn' | 'error' | 'debug' | 'trace';

/**
 * The function node's side of the boundary: every call user code makes through `node`,
 * `context`/`flow`/`global` and `env` lands here, with arguments already copied out of the
 * isolate. Called synchronously while the isolate waits, so keep each call short.
 */
export interface SandboxHost {
  /** Sends not tied to a live input message: from On Start code or a timer outliving its message. */
  send(output: OutputMessages): void;
  /** `node.error(err, msg)`; `msg` present means catch nodes should see it (Node-RED's rule). */
  error(error: Error, msg?: Msg): void;
  /** `node.log/warn/debug/trace` and `console.*`. */
  log(level: SandboxLogLevel, message: unknown): void;
  status(status: NodeStatus | string): void;
  /** The node's context; its `flow` and `global` give the other scopes. */
  context: NodeContext;
  /** `env.get(name)`, resolved through the node's group, flow, subflow and global chain. */
  getEnv(name: string): unknown;
}

/** One external module as saved by Node-RED in a function node's `libs`. */
export interface FunctionLib {
  /** The variable name user code sees. */
  var: string;
  /** The npm module name. */
  module: string;
}

/** The function node's configuration, as saved in flows.json. */
export interface FunctionDef {
  nodeId: string;
  name?: string;
  func: string;
  /** On Start code; runs before the first message and again if the isolate is rebuilt. */
  initialize?: string;
  /** On Stop code; runs on close. */
  finalize?: string;
  outputs: number;
  libs?: FunctionLib[];
  /** `node.path`: the flow path of the node (`tab/node`, `tab/subflow-instance/node`); the id when absent. */
  path?: string;
  /**
   * The node's own time limit per call, in ms (Node-RED's per-node `timeout`). Only ever lowers
   * the pool's limit, which stays the ceiling.
   */
  timeoutMs?: number;
}

/** One input message with the engine's per-message callbacks (Node-RED's `send`/`done`). */
export interface SandboxInput {
  msg: Msg;
  send(output: OutputMessages): void;
  done(error?: Error): void;
}

/** How a message ended, for callers that want to know beyond send/done (metrics, tests). */
export type RunResult =
  | { status: 'ok'; output: OutputMessages | null }
  | { status: 'error'; error: Error }
  | { status: 'closed' };

export interface SandboxedFunction {
  readonly nodeId: string;
  /**
   * Runs a batch of messages (queue those arriving in one engine tick and call once: one
   * crossing into the isolate serves the batch). For each input, `send` gets what the code
   * sent or returned and `done` is called as Node-RED would (automatically unless the code
   * mentions `node.done()`). The promise settles when every input of the batch has ended.
   */
  run(inputs: SandboxInput[]): Promise<RunResult[]>;
  /** Runs On Stop code, clears the node's timers and releases its context. */
  close(): Promise<void>;
}

/** External modules (`libs`): off unless the settings turn them on, as in Node-RED. */
export interface ExternalModulesPolicy {
  /** Node-RED's `functionExternalModules`. */
  enabled: boolean;
  /**
   * Modules that may be used. Absent means any module that is not a Node built-in; built-ins
   * (fs, child_process, net...) are refused unless named here.
   */
  allow?: readonly string[];
  /** Loads a module on the host (the runtime resolves it from the user directory). */
  load(name: string): unknown;
}

export interface SandboxPoolOptions {
  /**
   * Memory limit of each isolate, in MB (isolated-vm's minimum is 8). Function nodes are spread
   * over as many isolates as they need; one that exhausts the limit restarts only its isolate.
   */
  memoryMb: number;
  /** Time limit of one call into user code (a message, a timer, On Start, On Stop), in ms. */
  timeoutMs: number;
  externalModules?: ExternalModulesPolicy;
  /** Pool-level events: isolate rebuilt after a memory blow-up, late errors with no node to blame. */
  log?: (level: SandboxLogLevel, message: string) => void;
}

/** What the pool holds now, for metrics, tests and benchmarks. */
export interface SandboxPoolStats {
  /** Functions created and not closed. */
  functions: number;
  /** Functions with a context built (the others get one at their first message). */
  contexts: number;
  isolates: number;
  /** Heap used in all isolates together, garbage not yet collected included. */
  heapUsedBytes: number;
  /** CPU time spent in the live isolates' threads so far, in microseconds. */
  cpuTimeUs: number;
}

export interface CreateFunctionOptions {
  /**
   * Resolve once On Start code has begun (its context built, its synchronous part run) instead of
   * when it has finished: Node-RED runs that part when the node is created and lets the rest (a
   * promise) go on while the deploy ends. Messages still wait for all of it.
   */
  untilOnStartBegins?: boolean;
}

export interface SandboxPool {
  /**
   * Compiles the node's code (a syntax error rejects here) and, when it has On Start code, builds
   * its context and runs that code; other nodes get their context at their first message.
   */
  createFunction(def: FunctionDef, host: SandboxHost, options?: CreateFunctionOptions): Promise<SandboxedFunction>;
  /** How many isolates were disposed by the memory limit (their functions restarted). */
  readonly restarts: number;
  stats(): Promise<SandboxPoolStats>;
  /** Closes every function and disposes the isolates. */
  dispose(): Promise<void>;
}
