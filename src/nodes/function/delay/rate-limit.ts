/**
 * The delay node's "rate limit all messages" modes: queue intermediate messages and release
 * one per interval, drop them (or send them to a second output), and burst mode (up to `rate`
 * messages per period, the rest dropped).
 */
import type { InputHandler, NodeApi, NodeHandlers } from '../../../runtime/definition/index.js';
import { RedoubtError } from '../../../errors/index.js';
import { cloneMessage } from '../../../runtime/properties/index.js';
import type { Msg } from '../../../runtime/types.js';
import { createDepthReporter, hasOwn, keyCount, once, rateOverride, timerDelay, type HeldMessage } from './shared.js';

export interface RateLimitOptions {
  /** Milliseconds between two messages. */
  readonly intervalMs: number;
  /** Drop intermediate messages instead of queueing them. */
  readonly drop: boolean;
  /** Send dropped messages to the second output. */
  readonly secondOutput: boolean;
  readonly allowRate: boolean;
  /** Most messages the queue holds before it is emptied with an error; 0 = no limit. */
  readonly maxQueue: number;
}

export const TOO_MANY_PENDING = 'too many pending messages in delay node';

/** Queue mode: every message goes out, one per interval, in arrival order (or first when `toFront`). */
function createRateQueue(options: RateLimitOptions, node: NodeApi): NodeHandlers {
  let queue: HeldMessage[] = [];
  let interval: NodeJS.Timeout | undefined;
  let intervalMs = options.intervalMs;
  const depth = createDepthReporter(node, () => queue.length);

  const stopTicking = () => {
    if (interval) clearInterval(interval);
    interval = undefined;
  };
  const startTicking = () => {
    stopTicking();
    interval = setInterval(tick, timerDelay(intervalMs));
  };
  function tick(): void {
    const next = queue.shift();
    if (!next) stopTicking();
    else {
      try {
        // A held control message (only `_msgid` left) is consumed without output.
        if (keyCount(next.msg) > 1) next.send(next.msg);
        next.done();
      } catch (err) {
        node.error(err, next.msg);
      }
    }
    depth.report();
  }

  const flush = (count: unknown) => {
    let n = queue.length;
    if (typeof count === 'number') n = Math.min(Math.floor(count), n);
    if (n <= 0) {
      stopTicking();
    } else {
      for (let i = 0; i < n; i++) {
        const held = queue.shift()!;
        delete held.msg.flush;
        delete held.msg.reset;
        if (keyCount(held.msg) > 1) {
          node.send(held.msg);
          held.done();
        }
      }
      startTicking();
    }
    node.status({ fill: 'blue', shape: 'dot', text: String(queue.length) });
  };

  const onInput: InputHandler = (msg, send, rawDone) => {
    const done = once(rawDone);
    const m = cloneMessage(msg);
    delete m.flush;
    if (keyCount(m) > 1) {
      const override = rateOverride(m, options.allowRate);
      if (interval) {
        if (override !== undefined && override !== intervalMs) {
          intervalMs = override;
          startTicking();
        }
        if (options.maxQueue > 0 && queue.length >= options.maxQueue) {
          // Node-RED empties the whole queue here, not just the newest message.
          queue = [];
          done(new RedoubtError('too_many_pending', TOO_MANY_PENDING, { place: { nodeId: node.id } }));
          return;
        }
        if (msg.toFront === true) queue.unshift({ msg: m, send, done });
        else queue.push({ msg: m, send, done });
        depth.report();
      } else {
        if (override !== undefined) intervalMs = override;
        if (hasOwn(msg, 'reset')) {
          if (hasOwn(msg, 'flush')) queue.push({ msg: m, send, done });
        } else {
          send(m);
        }
        depth.report();
        startTicking();
        done();
      }
    }
    // Flush before reset, as Node-RED does: `{flush: 2, reset: true}` sends two held messages and
    // drops the rest, where resetting first would drop them all.
    if (hasOwn(msg, 'flush')) {
      flush(msg.flush);
      done();
    }
    if (hasOwn(msg, 'reset')) {
      if (msg.flush === undefined) stopTicking();
      queue = [];
      intervalMs = options.intervalMs;
      node.status({ fill: 'blue', shape: 'ring', text: '0' });
      done();
    }
  };

  return {
    onInput,
    onClose: () => {
      stopTicking();
      depth.stop();
      for (const held of queue) held.done();
      queue = [];
      node.status({});
    },
  };
}

/** Drop mode: a message goes out only if the interval has passed since the last one that did. */
function createRateDrop(options: RateLimitOptions, node: NodeApi): NodeHandlers {
  let lastSent: number | undefined;
  let intervalMs = options.intervalMs;
  const onInput: InputHandler = (msg, send, done) => {
    if (hasOwn(msg, 'reset')) {
      if (msg.flush === undefined) lastSent = undefined;
      intervalMs = options.intervalMs;
      node.status({ fill: 'blue', shape: 'ring', text: '0' });
      done();
      return;
    }
    const override = rateOverride(msg, options.allowRate);
    if (override !== undefined) intervalMs = override;
    const now = Date.now();
    if (lastSent === undefined || now - lastSent > intervalMs) {
      lastSent = now;
      send(msg);
    } else if (options.secondOutput) {
      send([null, msg]);
    }
    done();
  };
  return { onInput, onClose: () => node.status({}) };
}

export function createRateLimit(options: RateLimitOptions, node: NodeApi): NodeHandlers {
  return options.drop ? createRateDrop(options, node) : createRateQueue(options, node);
}

export interface BurstOptions {
  /** Messages allowed per period. */
  readonly burst: number;
  readonly periodMs: number;
  readonly secondOutput: boolean;
}

/** Burst mode: up to `burst` messages pass in any period; each frees its slot a period after it passed. */
export function createBurst(options: BurstOptions, node: NodeApi): NodeHandlers {
  let timers: NodeJS.Timeout[] = [];
  let inFlight = 0;
  const idle = () => node.status({ fill: 'green', shape: 'ring', text: '' });
  const clearTimers = () => {
    for (const t of timers) clearTimeout(t);
    timers = [];
  };
  idle();
  const onInput: InputHandler = (msg: Msg, send, done) => {
    if (hasOwn(msg, 'reset')) {
      clearTimers();
      inFlight = 0;
      idle();
      done();
      return;
    }
    if (inFlight < options.burst) {
      inFlight += 1;
      send(msg);
      const timer = setTimeout(() => {
        timers = timers.filter((t) => t !== timer);
        if (inFlight === options.burst) idle();
        inFlight -= 1;
      }, timerDelay(options.periodMs));
      timers.push(timer);
    } else {
      if (options.secondOutput) send([null, msg]);
      node.status({ fill: 'red', shape: 'dot', text: '' });
    }
    done();
  };
  return {
    onInput,
    onClose: () => {
      clearTimers();
      node.status({});
    },
  };
}
