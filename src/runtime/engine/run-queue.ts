/**
 * Asynchronous message delivery without a timer per message: sends append to one FIFO that is
 * drained in batches from a single `setImmediate`. Order is the same as Node-RED's one
 * `setImmediate` per message (first sent, first delivered), at a fraction of the cost.
 */
import type { Msg } from '../types.js';

export interface Deliverable {
  deliver(msg: Msg): void;
}

export interface RunQueue {
  push(target: Deliverable, msg: Msg): void;
  /** Messages waiting; for tests and metrics. */
  size(): number;
  /** Drops everything queued (flows stopping). */
  clear(): void;
}

/** How many deliveries one drain makes before yielding to I/O, so timers and sockets are not starved. */
const BATCH_LIMIT = 20_000;

export function createRunQueue(onError: (err: unknown, target: Deliverable, msg: Msg) => void): RunQueue {
  // Two parallel arrays used as a ring-free FIFO: cheaper than an array of pairs.
  let targets: Deliverable[] = [];
  let msgs: Msg[] = [];
  let head = 0;
  let scheduled = false;

  const drain = () => {
    scheduled = false;
    let delivered = 0;
    while (head < targets.length && delivered < BATCH_LIMIT) {
      const target = targets[head]!;
      const msg = msgs[head]!;
      targets[head] = undefined as unknown as Deliverable;
      msgs[head] = undefined as unknown as Msg;
      head++;
      delivered++;
      try {
        target.deliver(msg);
      } catch (err) {
        onError(err, target, msg);
      }
    }
    if (head >= targets.length) {
      targets = [];
      msgs = [];
      head = 0;
    } else {
      if (head > 4096) {
        targets = targets.slice(head);
        msgs = msgs.slice(head);
        head = 0;
      }
      schedule();
    }
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  };

  return {
    push(target, msg) {
      targets.push(target);
      msgs.push(msg);
      schedule();
    },
    size: () => targets.length - head,
    clear() {
      targets = [];
      msgs = [];
      head = 0;
    },
  };
}
