/**
 * The delay node's per-topic modes. Each topic holds only its newest message. `queue` releases
 * one topic per interval, in turn; `timed` releases every held topic at each interval.
 */
import type { InputHandler, NodeApi, NodeHandlers } from '../../../runtime/definition/index.js';
import { createDepthReporter, hasOwn, keyCount, once, rateOverride, timerDelay, type HeldMessage } from './shared.js';

export interface TopicQueueOptions {
  readonly mode: 'queue' | 'timed';
  readonly intervalMs: number;
  readonly allowRate: boolean;
  /** Send a message replaced by a newer one of its topic to the second output. */
  readonly secondOutput: boolean;
}

export function createTopicQueue(options: TopicQueueOptions, node: NodeApi): NodeHandlers {
  let queue: HeldMessage[] = [];
  let intervalMs = options.intervalMs;
  const depth = createDepthReporter(node, () => queue.length);

  const release = (held: HeldMessage) => {
    try {
      held.send(held.msg);
      held.done();
    } catch (err) {
      node.error(err, held.msg);
    }
  };
  const tick = () => {
    if (options.mode === 'queue') {
      const next = queue.shift();
      if (next) release(next);
    } else {
      const all = queue;
      queue = [];
      for (const held of all) release(held);
    }
    depth.report();
  };
  // Node-RED restarts a changed rate with its rate-limit tick, which sends one message at a time
  // even in `timed` mode and stops for good once the queue is empty; here the mode's own tick keeps running.
  let interval = setInterval(tick, timerDelay(intervalMs));
  const restart = () => {
    clearInterval(interval);
    interval = setInterval(tick, timerDelay(intervalMs));
  };

  const onInput: InputHandler = (msg, send, rawDone) => {
    const done = once(rawDone);
    const override = rateOverride(msg, options.allowRate);
    if (override !== undefined && override !== intervalMs) {
      intervalMs = override;
      restart();
    }
    // Visible downstream: Node-RED marks topic-less messages this way.
    if (!hasOwn(msg, 'topic')) msg.topic = '_none_';
    const existing = queue.findIndex((held) => held.msg.topic === msg.topic);
    if (existing !== -1) {
      const replaced = queue[existing]!;
      if (options.secondOutput) send([null, replaced.msg]);
      replaced.done();
      queue[existing] = { msg, send, done };
    } else {
      queue.push({ msg, send, done });
      depth.report();
    }
    if (hasOwn(msg, 'flush')) {
      let n = queue.length;
      if (typeof msg.flush === 'number') n = Math.min(Math.floor(msg.flush), n);
      for (let i = 0; i < n; i++) {
        const held = queue.shift()!;
        delete held.msg.flush;
        delete held.msg.reset;
        // `_msgid` and `topic` alone: a bare command, nothing to send.
        if (keyCount(held.msg) > 2) node.send(held.msg);
        held.done();
      }
      node.status({});
      done();
    }
    if (hasOwn(msg, 'reset')) {
      const dropped = queue;
      queue = [];
      for (const held of dropped) held.done();
      if (intervalMs !== options.intervalMs) {
        intervalMs = options.intervalMs;
        restart();
      }
      node.status({ text: 'reset' });
      done();
    }
  };

  return {
    onInput,
    onClose: () => {
      clearInterval(interval);
      depth.stop();
      const dropped = queue;
      queue = [];
      for (const held of dropped) held.done();
      node.status({});
    },
  };
}
