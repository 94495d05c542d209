/**
 * Test support for the sequence nodes' specs (imported by *.test.ts only): loading a flow on
 * one tab, collecting what helper nodes receive, and observing each done() of a node.
 */
import { helper } from '../../compat/test-helper.js';
import type { Msg } from '../../runtime/types.js';

export const TAB = 'f';

/** Loads `nodes` on one tab; every node gets `z` and a missing `wires` becomes `[]`. */
export async function loadFlow(nodes: Array<Record<string, unknown>>): Promise<void> {
  const flow = nodes.map((n) => ({ z: TAB, wires: [], ...n }));
  await helper.load([], [...flow, { id: TAB, type: 'tab' }]);
}

/**
 * Resolves with the first `count` messages the helper node `id` receives; rejects, listing what
 * did arrive, when they have not all come within `patienceMs` (a failure, not a timing check).
 */
export function collect(id: string, count: number, patienceMs = 2000): Promise<Msg[]> {
  const got: Msg[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`expected ${count} messages at ${id}, got ${got.length}: ${JSON.stringify(got.map((m) => m.payload))}`)),
      patienceMs,
    );
    helper.getNode(id)!.on('input', (msg: Msg) => {
      got.push(msg);
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

/** Everything the helper node `id` receives from now on. */
export function record(id: string): Msg[] {
  const got: Msg[] = [];
  helper.getNode(id)!.on('input', (msg: Msg) => got.push(msg));
  return got;
}

export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Log entries of the given level (20 error, 30 warn, 40 info) written by node `id`. */
export function logged(id: string, level: number): unknown[] {
  return helper
    .log()
    .args.filter(([entry]) => entry.id === id && entry.level === level)
    .map(([entry]) => entry.msg);
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
