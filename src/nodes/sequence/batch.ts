/**
 * batch: makes sequences out of a stream of messages: every `count` messages (with `overlap`
 * messages repeated from one sequence into the next), every `interval` seconds, or by
 * concatenating complete sequences of the listed topics, in the order listed.
 */
import { ValidationError, type ValidationIssue } from '../../errors/index.js';
import { boolean, defineNode, json, number, select, string, type BaseConfig, type NodeApi } from '../../runtime/definition/index.js';
import { cloneMessage, generateId } from '../../runtime/properties/index.js';
import type { Msg } from '../../runtime/types.js';
import { messageBufferLimit, type PendingMessage } from './message-buffer.js';

const TOO_MANY = 'too many pending messages in batch node';

const hasOwn = (obj: unknown, key: string): boolean =>
  typeof obj === 'object' && obj !== null && Object.prototype.hasOwnProperty.call(obj, key);

type Handlers = { onInput: (msg: Msg, send: PendingMessage['send'], done: PendingMessage['done']) => void; onClose: () => void };

const properties = {
  name: string(),
  mode: select(['count', 'interval', 'concat'] as const, { default: 'count' }),
  count: number({ default: 10, label: 'Number of messages', showWhen: { mode: ['count'] } }),
  overlap: number({ default: 0, min: 0, label: 'Overlap', showWhen: { mode: ['count'] } }),
  interval: number({ default: 10, min: 0, label: 'Interval (seconds)', showWhen: { mode: ['interval'] } }),
  allowEmptySequence: boolean({ label: 'send empty message when no message arrives', showWhen: { mode: ['interval'] } }),
  honourParts: boolean({ label: 'Allow msg.parts to also complete batch operation', showWhen: { mode: ['count'] } }),
  topics: json<Array<{ topic: string }>>({
    default: [{ topic: '' }],
    label: 'Topics',
    showWhen: { mode: ['concat'] },
    check: (v) => (Array.isArray(v) ? undefined : 'must be a list of { topic } entries'),
  }),
};

/** Sends `items` as one sequence, identified by the first message's id. */
function sendSequence(items: PendingMessage[], clone: boolean): void {
  const id = items[0]!.msg._msgid;
  items.forEach((item, index) => {
    const msg = clone ? cloneMessage(item.msg) : item.msg;
    if (!hasOwn(msg, 'parts')) msg.parts = {};
    const parts = msg.parts as Record<string, unknown>;
    parts.id = id;
    parts.index = index;
    parts.count = items.length;
    item.send(msg);
  });
}

function completeAll(items: Iterable<PendingMessage>): void {
  for (const item of items) item.done();
}

function countMode(node: NodeApi, count: number, overlap: number, honourParts: boolean): Handlers {
  let pending: PendingMessage[] = [];
  let held = 0;
  return {
    onInput(msg, send, done) {
      if (hasOwn(msg, 'reset')) {
        completeAll(pending);
        pending = [];
        held = 0;
        done();
        return;
      }
      let endOfParts = false;
      if (honourParts && hasOwn(msg, 'parts')) {
        const parts = msg.parts as Record<string, unknown>;
        endOfParts = (parts.index as number) + 1 === parts.count;
      }
      pending.push({ msg, send, done });
      held++;
      if (pending.length === count || endOfParts) {
        // Overlapping messages are sent again with the next sequence: each sequence gets copies.
        sendSequence(pending, overlap > 0);
        completeAll(pending.slice(0, pending.length - overlap));
        pending = overlap === 0 ? [] : pending.slice(-overlap);
        held = 0;
      }
      const limit = messageBufferLimit(node);
      if (limit > 0 && held > limit) {
        pending.pop()!.done(new Error(TOO_MANY));
        completeAll(pending);
        pending = [];
        held = 0;
      }
    },
    onClose() {
      completeAll(pending);
      pending = [];
    },
  };
}

function intervalMode(node: NodeApi, intervalMs: number, allowEmpty: boolean): Handlers {
  let pending: PendingMessage[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    try {
      if (pending.length > 0) {
        const items = pending;
        pending = [];
        sendSequence(items, false);
        completeAll(items);
      } else if (allowEmpty) {
        node.send({ payload: null, parts: { id: generateId(), index: 0, count: 1 } });
      }
    } catch (err) {
      node.error(err);
    }
  };
  const start = (): void => {
    if (intervalMs > 0) timer = setInterval(flush, intervalMs);
  };
  start();
  return {
    onInput(msg, send, done) {
      if (hasOwn(msg, 'reset')) {
        clearInterval(timer);
        completeAll(pending);
        pending = [];
        done();
        start();
        return;
      }
      pending.push({ msg, send, done });
      const limit = messageBufferLimit(node);
      if (limit > 0 && pending.length > limit) {
        pending.pop()!.done(new Error(TOO_MANY));
        completeAll(pending);
        pending = [];
      }
    },
    onClose() {
      clearInterval(timer);
      completeAll(pending);
      pending = [];
    },
  };
}

interface TopicQueue {
  /** Sequence ids in arrival order; the first is the one concatenated next. */
  order: string[];
  sequences: Map<string, { items: PendingMessage[]; count: number | undefined }>;
}

function concatMode(node: NodeApi, topics: string[]): Handlers {
  let pending = new Map<string, TopicQueue>();
  let held = 0;

  const firstOf = (topic: string) => {
    const queue = pending.get(topic);
    const id = queue?.order[0];
    return id === undefined ? undefined : queue!.sequences.get(id);
  };
  const isComplete = (topic: string): boolean => {
    const seq = firstOf(topic);
    return seq !== undefined && seq.count === seq.items.length;
  };
  const dropAll = (): void => {
    for (const queue of pending.values()) for (const seq of queue.sequences.values()) completeAll(seq.items);
    pending = new Map();
    held = 0;
  };

  function tryConcat(): void {
    if (!topics.every(isComplete)) return;
    const items: PendingMessage[] = [];
    for (const topic of topics) items.push(...firstOf(topic)!.items);
    for (const topic of topics) {
      const queue = pending.get(topic)!;
      const id = queue.order.shift()!;
      queue.sequences.delete(id);
    }
    sendSequence(items, true);
    // A topic listed twice repeats its sequence in the output; each message completes once.
    const unique = new Set(items);
    completeAll(unique);
    held -= unique.size;
  }

  return {
    onInput(msg, send, done) {
      if (hasOwn(msg, 'reset')) {
        dropAll();
        done();
        return;
      }
      const topic = msg.topic as string;
      // As Node-RED: a message of another topic is dropped and never completed, so complete
      // nodes do not see it.
      if (!topics.includes(topic)) return;
      const parts = msg.parts as Record<string, unknown> | undefined;
      if (!hasOwn(parts, 'id') || !hasOwn(parts, 'index') || !hasOwn(parts, 'count')) {
        done(new Error('no parts property in message'));
        return;
      }
      let queue = pending.get(topic);
      if (!queue) {
        queue = { order: [], sequences: new Map() };
        pending.set(topic, queue);
      }
      const id = String(parts!.id);
      let seq = queue.sequences.get(id);
      if (!seq) {
        seq = { items: [], count: undefined };
        queue.sequences.set(id, seq);
        queue.order.push(id);
      }
      seq.items.push({ msg, send, done });
      if (seq.count === undefined) seq.count = parts!.count as number;
      held++;
      const limit = messageBufferLimit(node);
      if (limit > 0 && held > limit) {
        // As Node-RED: every held message whose msg.id is the overflowing one's fails (with no
        // msg.id, that is all of them, each logged and caught); the others complete.
        const overflowId = msg.id;
        for (const q of pending.values()) {
          for (const s of q.sequences.values()) {
            for (const item of s.items) {
              if (item.msg.id === overflowId) item.done(new Error(TOO_MANY));
              else item.done();
            }
          }
        }
        pending = new Map();
        held = 0;
        return;
      }
      tryConcat();
    },
    onClose: dropAll,
  };
}

type BatchConfig = { [K in keyof typeof properties]: (typeof properties)[K]['default'] } & BaseConfig;

function checkBatchConfig(config: BatchConfig): ValidationIssue[] {
  // Node-RED reads a count of 0 as 1 and refuses a count not above the overlap.
  if (config.mode !== 'count' || (config.count || 1) > config.overlap) return [];
  return [
    {
      code: 'invalid_property',
      nodeId: config.id,
      property: 'overlap',
      message: `'overlap' Invalid count and overlap: the overlap (${config.overlap}) must be smaller than the count (${config.count || 1})`,
    },
  ];
}

export const batch = defineNode({
  type: 'batch',
  category: 'sequence',
  inputs: 1,
  outputs: 1,
  properties,
  validate: (config) => checkBatchConfig(config),
  create(config, node) {
    if (config.mode === 'count') {
      const issues = checkBatchConfig(config);
      if (issues.length > 0) throw new ValidationError(`batch node '${config.id}' has invalid properties`, issues);
      return countMode(node, config.count || 1, config.overlap, config.honourParts);
    }
    if (config.mode === 'interval') return intervalMode(node, config.interval * 1000, config.allowEmptySequence);
    return concatMode(node, config.topics.map((t) => (t && typeof t === 'object' ? t.topic : undefined) as string));
  },
  editor: { color: '#E2D96E', icon: 'batch.svg' },
});
