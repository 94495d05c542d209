/** Pieces shared by the delay node's modes. */
import type { DoneFn, NodeApi, SendFn } from '../../../runtime/definition/index.js';
import type { Msg } from '../../../runtime/types.js';

/** A message held by the node, with the send and done of the input that brought it. */
export interface HeldMessage {
  msg: Msg;
  send: SendFn;
  done: DoneFn;
}

export const hasOwn = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);

/** Number of own keys: Node-RED treats `{_msgid, flush}` as a pure control message by counting them. */
export const keyCount = (msg: object): number => Object.keys(msg).length;

/**
 * Node-RED calls `done` twice for some control messages (a reset that was also queued); the
 * runtime must see one completion per message, so each input's done is wrapped once.
 */
export function once(done: DoneFn): DoneFn {
  let called = false;
  return (err?: unknown) => {
    if (called) return;
    called = true;
    done(err);
  };
}

/** `msg.rate` when `allowrate` is on and the value reads as a number (milliseconds). */
export function rateOverride(msg: Msg, allowRate: boolean): number | undefined {
  if (!allowRate || !hasOwn(msg, 'rate')) return undefined;
  const value = parseFloat(String(msg.rate));
  return Number.isNaN(value) ? undefined : value;
}

const MAX_TIMER_MS = 2_147_483_647;

/**
 * A delay Node's timers accept. Like Node, a non-number (a rate of 0 gives Infinity) means 1 ms;
 * unlike Node, which also fires a too-long finite delay after 1 ms, it waits the longest it can.
 */
export function timerDelay(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) return 1;
  return Math.min(ms, MAX_TIMER_MS);
}

/** Shows the queue depth at most every 500 ms, as Node-RED does, so a busy queue does not flood the editor. */
export function createDepthReporter(node: NodeApi, depth: () => number) {
  let pending: NodeJS.Timeout | undefined;
  return {
    report(): void {
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        node.status({ fill: 'blue', shape: 'dot', text: String(depth()) });
      }, 500);
    },
    stop(): void {
      if (pending) clearTimeout(pending);
      pending = undefined;
    },
  };
}
