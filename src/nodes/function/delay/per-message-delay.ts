/**
 * The delay node's "delay each message" modes: a fixed delay, a delay taken from `msg.delay`,
 * and a random delay. Each message gets its own timer; `msg.reset` drops every pending message,
 * `msg.flush` sends pending ones now (all, or the number it holds).
 */
import type { DoneFn, InputHandler, NodeApi, NodeHandlers, SendFn } from '../../../runtime/definition/index.js';
import type { Msg } from '../../../runtime/types.js';
import { hasOwn, keyCount, once, timerDelay } from './shared.js';

export interface PerMessageDelayOptions {
  /** Milliseconds before each message is sent, given the message. */
  readonly delayFor: (msg: Msg) => number;
  /** When to show the pending count after a message arrives or leaves. */
  readonly showsCount: (delayMs: number) => boolean;
}

interface Pending {
  /** Cancels the timer and completes the message without sending it. */
  clear(): void;
  /** Cancels the timer and sends the message now. */
  fire(): void;
}

export function createPerMessageDelay(options: PerMessageDelayOptions, node: NodeApi): NodeHandlers {
  let pending: Pending[] = [];

  const showCount = () => node.status({ fill: 'blue', shape: 'dot', text: String(pending.length) });

  const schedule = (msg: Msg, send: SendFn, done: DoneFn, delayMs: number): Pending => {
    const release = () => {
      const idx = pending.indexOf(entry);
      if (idx !== -1) pending.splice(idx, 1);
      if (options.showsCount(delayMs)) showCount();
      send(msg);
      done();
    };
    const timer = setTimeout(() => {
      try {
        release();
      } catch (err) {
        node.error(err, msg);
      }
    }, timerDelay(delayMs));
    const entry: Pending = {
      clear: () => {
        clearTimeout(timer);
        done();
      },
      fire: () => {
        clearTimeout(timer);
        release();
      },
    };
    return entry;
  };

  const clearAll = (showZero: boolean) => {
    const dropped = pending;
    pending = [];
    for (const entry of dropped) entry.clear();
    node.status(showZero ? { fill: 'blue', shape: 'ring', text: '0' } : {});
  };

  const flush = (count: unknown) => {
    let n = pending.length;
    if (typeof count === 'number') n = Math.min(Math.floor(count), n);
    for (let i = 0; i < n; i++) pending[0]?.fire();
    showCount();
  };

  const onInput: InputHandler = (msg, send, rawDone) => {
    const done = once(rawDone);
    const delayMs = options.delayFor(msg);
    const entry = schedule(msg, send, done, delayMs);
    // A message that only carries `flush` is a command, not something to delay.
    if (keyCount(msg) === 2 && hasOwn(msg, 'flush')) entry.clear();
    else pending.push(entry);
    if (hasOwn(msg, 'reset')) {
      clearAll(true);
      return;
    }
    if (hasOwn(msg, 'flush')) {
      flush(msg.flush);
      done();
      return;
    }
    if (options.showsCount(delayMs)) showCount();
  };

  return {
    onInput,
    onClose: () => clearAll(false),
  };
}
