/**
 * Test support for the node specs (imported by *.test.ts only; the build leaves it out): loading
 * a flow, waiting for what helper nodes receive or what a node logs, letting the run queue drain,
 * and temporary files. Every helper takes the ids of the nodes it watches, so one spec can use
 * any layout of nodes.
 */
import assert from 'node:assert/strict';
import { helper, type HelperLogEntry } from '../compat/test-helper.js';
import type { RuntimeNode, RuntimeSettings } from '../runtime/index.js';
import type { FlowConfigNode, Msg } from '../runtime/types.js';

export { useTempDir, type TempDir } from '../testing/temp-dir.js';

/** A message read loosely, for specs that reach into payloads of a known shape. */
export type AnyMsg = Record<string, any>;

export const TAB = 'f';

/** Loads `nodes` on one tab; every node gets `z` and a missing `wires` becomes `[]`. */
export async function loadFlow(nodes: Array<Record<string, unknown>>): Promise<void> {
  const flow = nodes.map((n) => ({ z: TAB, wires: [], ...n }));
  await helper.load([], [...flow, { id: TAB, type: 'tab' }]);
}

/**
 * Loads `node` (with `loadFlow`) wired to the helper node `helperId`, unless `node.wires` says
 * otherwise, and returns a function that sends the node a message.
 */
export async function loadSender(node: FlowConfigNode, helperId = 'h'): Promise<(msg: Msg) => void> {
  await loadFlow([{ wires: [[helperId]], ...node }, { id: helperId, type: 'helper' }]);
  return (msg) => helper.getNode(node.id)!.receive(msg);
}

export interface NodeToHelperOptions {
  /** The helper node the node's one output is wired to; `h1` unless named. */
  helperId?: string;
  /** The tab both sit on; a bare tab `f` unless given (one with `env`, say). */
  tab?: FlowConfigNode;
}

/**
 * The smallest flow that tests one node: a tab, the node (its output wired to a helper node) and
 * the helper. `node` needs `id` and `type`; everything else in it is the node's configuration.
 */
export function nodeToHelper(node: FlowConfigNode, options: NodeToHelperOptions = {}): FlowConfigNode[] {
  const { helperId = 'h1', tab = { id: TAB, type: 'tab' } } = options;
  return [tab, { z: tab.id, wires: [[helperId]], ...node }, { id: helperId, type: 'helper', z: tab.id, wires: [] }];
}

/** Helper nodes `ids` on tab `z` (`f` unless named), wired nowhere. */
export function helperNodes(ids: string[], z = TAB): FlowConfigNode[] {
  return ids.map((id) => ({ id, type: 'helper', z, wires: [] }));
}

export interface Recorded {
  node: RuntimeNode;
  /** What each helper node received, by helper id. */
  received: Record<string, AnyMsg[]>;
  /** Every status the node under test published. */
  statuses: AnyMsg[];
  send(msg: AnyMsg): void;
}

/**
 * Loads `node` on a bare tab with the helper nodes `helperIds` (wire them in `node.wires`) and
 * records, from then on, what each helper receives and every status the node shows.
 */
export async function loadRecorded(node: FlowConfigNode, helperIds: string[]): Promise<Recorded> {
  await helper.load([], [{ id: TAB, type: 'tab' }, { z: TAB, ...node }, ...helperNodes(helperIds)]);
  const received = Object.fromEntries(helperIds.map((id) => [id, record<AnyMsg>(id)]));
  const statuses = recordStatuses(node.id);
  const loaded = helper.getNode(node.id)!;
  return { node: loaded, received, statuses, send: (msg) => loaded.receive(msg) };
}

/** Every status node `id` publishes (what the editor shows under it) from now on. */
export function recordStatuses(id: string): AnyMsg[] {
  const statuses: AnyMsg[] = [];
  helper.runtime()!.events.on('publish', (topic: string, data: AnyMsg) => {
    if (topic === `status/${id}`) statuses.push(data);
  });
  return statuses;
}

/**
 * Resolves with the next message the helper node `id` receives, or the next one `accept` takes
 * (no time limit of its own: the runner's applies).
 */
export function nextMessage<T = Msg>(id: string, accept: (msg: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => helper.getNode(id)!.on('input', (msg: T) => accept(msg) && resolve(msg)));
}

/**
 * Resolves with the first `count` messages the helper node `id` receives; rejects, listing what
 * did arrive, when they have not all come within `patienceMs` (a failure, not a timing check).
 */
export function collect<T = Msg>(id: string, count: number, patienceMs = 2000): Promise<T[]> {
  const got: T[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`expected ${count} messages at ${id}, got ${got.length}: ${JSON.stringify(got.map((m) => (m as Msg).payload))}`)),
      patienceMs,
    );
    helper.getNode(id)!.on('input', (msg: T) => {
      got.push(msg);
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

/** Everything the helper node `id` receives from now on. */
export function record<T = Msg>(id: string): T[] {
  const got: T[] = [];
  helper.getNode(id)!.on('input', (msg: T) => got.push(msg));
  return got;
}

export interface SendOptions {
  /** The node that gets the message. */
  to: string;
  /** The helper node whose next message is the answer; `h1` unless named. */
  helperId?: string;
  /** How long to wait before answering `undefined`: for specs where nothing coming out is the point. */
  waitMs?: number;
}

/** Sends `msg` to a node and resolves with what the helper receives next, or `undefined` after `waitMs`. */
export function sendAndReceive<T = AnyMsg>(msg: Msg, options: SendOptions): Promise<T | undefined> {
  const { to, helperId = 'h1', waitMs = 300 } = options;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), waitMs);
    helper.getNode(helperId)!.on('input', (m: T) => {
      clearTimeout(timer);
      resolve(m);
    });
    helper.getNode(to)!.receive(msg);
  });
}

/** Fails unless the helper node `id` stays silent for `quietMs` from now. */
export async function assertNothingSent(id: string, quietMs = 30): Promise<void> {
  let got = false;
  helper.getNode(id)!.on('input', () => (got = true));
  await wait(quietMs);
  assert.equal(got, false, `${id} received a message`);
}

export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Lets queued deliveries and pending promises run: the run queue drains on setImmediate, which
 * specs with a fake clock leave real, so this works under `mock.timers` too.
 */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

export interface PollOptions {
  /** How many checks before giving up. */
  tries?: number;
  /** Real milliseconds between checks. */
  everyMs?: number;
}

/** Waits until `check` holds, polling in real time; fails naming `what` when it never does. */
export async function waitUntil(check: () => boolean, what: string, options: PollOptions = {}): Promise<void> {
  const { tries = 200, everyMs = 10 } = options;
  for (let i = 0; i < tries; i++) {
    if (check()) return;
    await wait(everyMs);
  }
  if (check()) return;
  assert.fail(`timed out waiting for ${what}`);
}

/** Log messages of the given level (20 error, 30 warn, 40 info) written by node `id` so far. */
export function logged(id: string, level: number): unknown[] {
  return helper
    .log()
    .args.filter(([entry]) => entry.id === id && entry.level === level)
    .map(([entry]) => entry.msg);
}

/** Resolves with the first log entry of `level` written by node `id`, polling until one is written. */
export async function waitForLog(id: string, level: number, options: PollOptions = {}): Promise<HelperLogEntry> {
  const { tries = 200, everyMs = 5 } = options;
  const find = () => helper.log().args.find(([entry]) => entry.level === level && entry.id === id)?.[0];
  await waitUntil(() => find() !== undefined, `a log entry at level ${level} from ${id}`, { tries, everyMs });
  return find()!;
}

export function messageOf(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}

export interface DoneEvent {
  msg: Msg;
  err?: unknown;
}

/**
 * Records each completion (done() or done(err)) of node `id`. The engine reports completions
 * only when a complete node watches; this makes the node's flow report them to the test, which
 * keeps these specs independent of the complete and catch node types.
 */
export function watchDone(id: string): DoneEvent[] {
  const events: DoneEvent[] = [];
  const node = helper.getNode(id)!;
  const flow = node._flow as unknown as Record<string, (...args: any[]) => any>;
  const hasWatchers = flow.hasCompleteWatchers!.bind(flow);
  const complete = flow.handleComplete!.bind(flow);
  const handleError = flow.handleError!.bind(flow);
  flow.hasCompleteWatchers = (n: unknown) => n === node || hasWatchers(n);
  flow.handleComplete = (n: unknown, msg: Msg) => (n === node ? events.push({ msg }) : complete(n, msg));
  flow.handleError = (n: unknown, err: unknown, msg: Msg, ...rest: unknown[]) => {
    if (n === node) events.push({ msg, err });
    return handleError(n, err, msg, ...rest);
  };
  return events;
}

/**
 * Runs `run` with the helper's HTTP server restarted under `settings` (httpNodeRoot,
 * apiMaxLength...), and afterwards restarts it with no settings, whether `run` passed or not.
 */
export async function withServerSettings(settings: RuntimeSettings, run: () => Promise<void>): Promise<void> {
  await helper.stopServer();
  helper.settings(settings);
  await helper.startServer();
  try {
    await run();
  } finally {
    await helper.stopServer();
    helper.init(undefined, {});
    await helper.startServer();
  }
}
