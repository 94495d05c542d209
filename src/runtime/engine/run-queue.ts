/**
 * Asynchronous message delivery without a timer per message: sends append to one FIFO that is
 * drained in batches from a single `setImmediate`. Order is the same as Node-RED's one
 * `setImmediate` per message (first sent, first delivered), at a fraction of the cost.
 *
 * The FIFO is a ring buffer that doubles when full: a burst of a million messages (a split of a
 * large array) costs O(1) per message, where array shift/slice would be O(n).
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
const INITIAL_CAPACITY = 1024;

export function createRunQueue(onError: (err: unknown, target: Deliverable, msg: Msg) => void): RunQueue {
  let capacity = INITIAL_CAPACITY;
  let mask = capacity - 1;
  let targets: Array<Deliverable | undefined> = new Array(capacity);
  let msgs: Array<Msg | undefined> = new Array(capacity);
  let head = 0;
  let count = 0;
  let scheduled = false;

  const grow = () => {
    const nextTargets: Array<Deliverable | undefined> = new Array(capacity * 2);
    const nextMsgs: Array<Msg | undefined> = new Array(capacity * 2);
    for (let i = 0; i < count; i++) {
      const at = (head + i) & mask;
      nextTargets[i] = targets[at];
      nextMsgs[i] = msgs[at];
    }
    targets = nextTargets;
    msgs = nextMsgs;
    capacity *= 2;
    mask = capacity - 1;
    head = 0;
  };

  const drain = () => {
    scheduled = false;
    let delivered = 0;
    while (count > 0 && delivered < BATCH_LIMIT) {
      const target = targets[head]!;
      const msg = msgs[head]!;
      targets[head] = undefined;
      msgs[head] = undefined;
      head = (head + 1) & mask;
      count--;
      delivered++;
      try {
        target.deliver(msg);
      } catch (err) {
        onError(err, target, msg);
      }
    }
    if (count > 0) schedule();
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  };

  return {
    push(target, msg) {
      if (count === capacity) grow();
      const at = (head + count) & mask;
      targets[at] = target;
      msgs[at] = msg;
      count++;
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    },
    size: () => count,
    clear() {
      targets = new Array(INITIAL_CAPACITY);
      msgs = new Array(INITIAL_CAPACITY);
      capacity = INITIAL_CAPACITY;
      mask = capacity - 1;
      head = 0;
      count = 0;
    },
  };
}
