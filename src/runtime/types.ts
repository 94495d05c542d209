/** Shapes shared by the flow engine, the node types and the compatibility layer. */

/** A message as Node-RED nodes see it: a plain object with an `_msgid`. */
export interface Msg {
  _msgid?: string;
  payload?: unknown;
  topic?: string;
  [key: string]: unknown;
}

/** One entry of `flows.json` as saved by Node-RED: any node, tab, subflow, group or config node. */
export interface FlowConfigNode {
  id: string;
  type: string;
  z?: string;
  g?: string;
  name?: string;
  d?: boolean;
  wires?: string[][];
  [key: string]: unknown;
}

/** What a logger receives. Levels as Node-RED's: fatal 10, error 20, warn 30, info 40, debug 50, trace 60. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'audit' | 'metric';

export interface LogEntry {
  level: LogLevel;
  msg: unknown;
  id?: string;
  type?: string;
  name?: string;
  z?: string;
  path?: string;
}

export interface Logger {
  log(entry: LogEntry): void;
}

/** Status as set by `node.status()`. */
export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

/** Context storage as a node sees it through `node.context()`, `.flow` and `.global`. */
export interface ContextScope {
  get(key: string | string[], store?: string): unknown;
  get(key: string | string[], callback: (err: Error | null, ...values: unknown[]) => void): void;
  get(key: string | string[], store: string | undefined, callback: (err: Error | null, ...values: unknown[]) => void): void;
  set(key: string | string[], value: unknown, store?: string): void;
  set(key: string | string[], value: unknown, callback: (err: Error | null) => void): void;
  set(key: string | string[], value: unknown, store: string | undefined, callback: (err: Error | null) => void): void;
  keys(store?: string): string[];
  keys(callback: (err: Error | null, keys?: string[]) => void): void;
  keys(store: string | undefined, callback: (err: Error | null, keys?: string[]) => void): void;
}

export interface NodeContext extends ContextScope {
  flow: ContextScope;
  global: ContextScope;
}

/**
 * The minimum a node object offers to property evaluation (typed inputs, JSONata, env):
 * what Node-RED's `RED.util.evaluateNodeProperty(value, type, node, msg)` relies on.
 */
export interface PropertyHost {
  id: string;
  type?: string;
  name?: string;
  z?: string;
  g?: string;
  context(): NodeContext;
  /** Resolves an env var through the node's group, flow, subflow and global chain. */
  getEnv(name: string): unknown;
}
