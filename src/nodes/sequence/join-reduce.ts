/**
 * The join node's "reduce sequence" mode: a JSONata expression folds the messages of each
 * sequence (by `msg.parts.id`) into one value, with `$A` the accumulator, `$I` the index and
 * `$N` the count, then an optional fix-up expression runs on the result.
 */
import type { DoneFn, NodeApi, SendFn } from '../../runtime/definition/index.js';
import { evaluateJSONataExpression, evaluateNodeProperty, withBindings, type PreparedJSONata } from '../../runtime/properties/index.js';
import type { Msg } from '../../runtime/types.js';
import { messageBufferLimit, type PendingMessage } from './message-buffer.js';

export interface ReducerOptions {
  readonly reduce: PreparedJSONata;
  readonly fixup: PreparedJSONata | undefined;
  /** Evaluate from the last message to the first. */
  readonly right: boolean;
  readonly initValue: string;
  readonly initType: string;
}

interface Sequence {
  count: number | undefined;
  items: PendingMessage[];
}

const hasOwn = (obj: unknown, key: string): boolean =>
  typeof obj === 'object' && obj !== null && Object.prototype.hasOwnProperty.call(obj, key);

function partsOf(msg: Msg): Record<string, unknown> {
  return msg.parts as Record<string, unknown>;
}

/**
 * Builds the input and close handlers of a join node in reduce mode. Messages are handled one
 * at a time, in arrival order: JSONata may be asynchronous (context reads), and sequences must
 * not interleave.
 *
 * @example const r = createReducer({ reduce, fixup, right: false, initValue: '0', initType: 'num' }, node);
 */
export function createReducer(opts: ReducerOptions, node: NodeApi): { onInput: (msg: Msg, send: SendFn, done: DoneFn) => void; onClose: () => void } {
  let pending = new Map<string, Sequence>();
  let pendingCount = 0;
  let queue: Promise<void> = Promise.resolve();

  const initialValue = (): Promise<unknown> =>
    new Promise((resolve) => {
      // Without a type Node-RED's accumulator starts undefined.
      if (opts.initType === '') return resolve(undefined);
      // Node-RED 4 ignores an error in the initial value (a JSONata evaluation error, a context
      // store that fails) and reduces from undefined; so does Redoubt, to give the same output.
      evaluateNodeProperty(opts.initValue, opts.initType, node, {}, (err, value) => resolve(err ? undefined : value));
    });

  async function reduceSequence(seq: Sequence): Promise<void> {
    const direction = opts.right ? -1 : 1;
    const ordered = [...seq.items].sort((x, y) => {
      const ix = partsOf(x.msg).index as number;
      const iy = partsOf(y.msg).index as number;
      if (ix < iy) return -direction;
      if (ix > iy) return direction;
      return 0;
    });
    let accumulator = await initialValue();
    for (const item of ordered) {
      const vars = { I: partsOf(item.msg).index, N: seq.count, A: accumulator };
      accumulator = await evaluateJSONataExpression(withBindings(opts.reduce, vars), item.msg);
    }
    if (opts.fixup) {
      accumulator = await evaluateJSONataExpression(withBindings(opts.fixup, { N: seq.count, A: accumulator }), {});
    }
    // The message evaluated last carries the result, with its other properties (and parts).
    const last = ordered[ordered.length - 1]!;
    last.msg.payload = accumulator;
    last.send(last.msg);
  }

  async function handle(item: PendingMessage): Promise<void> {
    const { msg } = item;
    if (!hasOwn(msg, 'parts')) {
      item.send(msg);
      item.done();
      return;
    }
    const parts = partsOf(msg);
    const id = String(parts.id);
    let seq = pending.get(id);
    if (!seq) {
      seq = { count: undefined, items: [] };
      pending.set(id, seq);
    }
    if (hasOwn(parts, 'count') && seq.count === undefined) seq.count = parts.count as number;
    seq.items.push(item);
    pendingCount++;
    if (seq.items.length === seq.count) {
      pending.delete(id);
      pendingCount -= seq.items.length;
      try {
        await reduceSequence(seq);
      } catch (err) {
        // The message that completed the sequence carries the error; the others just complete.
        for (const other of seq.items) if (other !== item) other.done();
        item.done(err);
        return;
      }
      for (const each of seq.items) each.done();
      return;
    }
    const limit = messageBufferLimit(node);
    if (limit > 0 && pendingCount > limit) {
      for (const s of pending.values()) for (const other of s.items) if (other !== item) other.done();
      pending = new Map();
      pendingCount = 0;
      item.done(new Error('too many pending messages in join node'));
    }
  }

  function onInput(msg: Msg, send: SendFn, done: DoneFn): void {
    const item: PendingMessage = { msg, send, done };
    queue = queue.then(() => handle(item)).catch((err: unknown) => node.error(err, msg));
  }

  function onClose(): void {
    for (const s of pending.values()) for (const item of s.items) item.done();
    pending = new Map();
    pendingCount = 0;
  }

  return { onInput, onClose };
}
