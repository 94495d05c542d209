/**
 * The join node in automatic and manual modes: collects the messages of a sequence (by
 * `msg.parts.id`, or all in one group in manual mode) and sends one message built from them
 * when the count is reached, on `msg.complete`, or when the timeout runs out.
 */
import type { DoneFn, NodeApi, SendFn } from '../../runtime/definition/index.js';
import { cloneMessage, getMessageProperty, setMessageProperty, type CompiledPath } from '../../runtime/properties/index.js';
import type { Msg } from '../../runtime/types.js';

export type JoinBuild = 'string' | 'array' | 'buffer' | 'object' | 'merged';

export interface JoinerOptions {
  readonly mode: 'auto' | 'custom';
  readonly build: JoinBuild;
  /** The property collected from each message; undefined collects whole messages (`propertyType: full`). */
  readonly property: CompiledPath | undefined;
  readonly propertyName: string;
  /** Manual mode, object output: where each message's key is read. */
  readonly key: CompiledPath | undefined;
  readonly keyName: string;
  readonly joiner: string | Buffer;
  readonly count: number;
  /** Manual mode with an empty count: take the count and the group from `msg.parts` when present. */
  readonly countFromParts: boolean;
  readonly timeoutMs: number;
  readonly accumulate: boolean;
  readonly useParts: boolean;
}

/** A collected message's done, the message itself to settle through the node, or UNWATCHED. */
type Held = DoneFn | Msg | typeof UNWATCHED;

/** Held for a message whose completion nobody watches: settling it would do nothing. */
const UNWATCHED = 0;

interface Group {
  currentCount: number;
  payload: unknown[] | Record<string, unknown>;
  targetCount: number | undefined;
  type: JoinBuild | 'object';
  msg: Msg;
  send: SendFn;
  /** What completes each collected message, in arrival order (see `holdDone`). */
  dones: Held[];
  joinChar?: unknown;
  arrayLen?: unknown;
  bufferLen: number;
  timeout?: NodeJS.Timeout;
  prop: string | undefined;
}

/** Marks a property that could not be read (a parent missing), unlike one that is undefined. */
const MISSING: unique symbol = Symbol('missing');

const hasOwn = (obj: unknown, key: string): boolean =>
  typeof obj === 'object' && obj !== null && Object.prototype.hasOwnProperty.call(obj, key);

function asJoinString(joinChar: unknown): string {
  if (typeof joinChar === 'string') return joinChar;
  if (joinChar === undefined || joinChar === null) return '';
  if (Buffer.isBuffer(joinChar)) return joinChar.toString();
  // A string split on bytes records them as an array; Node-RED would join with "10" for [10],
  // so the bytes are read as the characters they are, and the split is reversed.
  if (Array.isArray(joinChar)) return Buffer.from(joinChar as number[]).toString();
  return String(joinChar);
}

function asBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value);
  if (Array.isArray(value)) return Buffer.from(value as number[]);
  return Buffer.alloc(0);
}

/** Builds the output of a finished group: a string, a buffer, a flattened array or an object. */
function buildResult(group: Group): unknown {
  if (group.type === 'array') {
    const items = group.payload as unknown[];
    return typeof group.arrayLen === 'number' && group.arrayLen > 1 ? items.flat(1) : items;
  }
  if (group.type === 'buffer') {
    const items = group.payload as unknown[];
    if (group.joinChar === undefined) return Buffer.concat(items.map(asBuffer));
    const sep = asBuffer(group.joinChar);
    const pieces: Buffer[] = [];
    items.forEach((item, i) => {
      if (i > 0) pieces.push(sep);
      pieces.push(asBuffer(item));
    });
    return Buffer.concat(pieces);
  }
  if (group.type === 'string') {
    return (group.payload as unknown[]).join(asJoinString(group.joinChar));
  }
  return group.payload;
}

/**
 * Builds the input and close handlers of a join node in `auto` or `custom` mode.
 *
 * @example const j = createJoiner(opts, node); node.on('input', j.onInput);
 */
export function createJoiner(opts: JoinerOptions, node: NodeApi): { onInput: (msg: Msg, send: SendFn, done: DoneFn) => void; onClose: () => void } {
  let inflight = new Map<string, Group>();

  const startTimer = (partId: string, group: Group): void => {
    if (opts.timeoutMs <= 0) return;
    group.timeout = setTimeout(() => {
      try {
        completeSend(partId);
      } catch (err) {
        node.error(err, group.msg);
      }
    }, opts.timeoutMs);
  };

  /**
   * A group can hold a sequence of 100,000 messages. With a single input handler a message's
   * done() is node.settle(msg), so the message is kept instead of its done closure: two objects
   * (closure and context) fewer per held message for the garbage collector to copy. Anything
   * but an object is held by its done, so the two stay apart by type.
   *
   * When no complete node watches the join, settling does nothing, so not even the message is
   * kept: a group of 100,000 then holds the collected values and not every message around them
   * (a fan-out benchmark spent a third of its time in GC copying those). One difference from
   * Node-RED follows: a complete node added by a partial deploy while a group is open reports
   * only the messages that arrive after it.
   */
  function holdDone(msg: Msg, done: DoneFn): Held {
    if (node.inputHandlerCount !== 1 || typeof msg !== 'object' || msg === null) return done;
    return node.completionWatched ? msg : UNWATCHED;
  }

  function release(held: readonly Held[]): void {
    for (const h of held) {
      if (typeof h === 'function') h();
      else if (h !== UNWATCHED) node.settle(h);
    }
  }

  function completeSend(partId: string): void {
    const group = inflight.get(partId);
    if (!group) return;
    clearTimeout(group.timeout);
    group.timeout = undefined;
    if (opts.mode === 'auto' || !opts.accumulate || hasOwn(group.msg, 'complete')) inflight.delete(partId);
    const result = buildResult(group);
    if (group.type === 'array' || group.type === 'buffer') group.payload = result as unknown[];
    // Whole messages are collected: the carrier is cloned so that no collected message holds itself.
    if (group.type !== 'string' && opts.property === undefined && opts.mode === 'custom') group.msg = cloneMessage(group.msg);
    setMessageProperty(group.msg, group.prop || 'payload', result);
    const parts = group.msg.parts;
    if (hasOwn(parts, 'parts')) group.msg.parts = (parts as { parts: unknown }).parts;
    else delete group.msg.parts;
    delete group.msg.complete;
    group.send(cloneMessage(group.msg));
    const dones = group.dones;
    group.dones = [];
    release(dones);
  }

  function dropGroup(partId: string): void {
    const group = inflight.get(partId);
    if (!group) return;
    clearTimeout(group.timeout);
    inflight.delete(partId);
    release(group.dones);
  }

  /** The collected value, or MISSING when a parent of the property path is missing. */
  function readProperty(msg: Msg): unknown {
    if (opts.property === undefined) return msg;
    try {
      return opts.property.get(msg);
    } catch {
      // A parent of the path is missing: Node-RED warns and drops the message, as here.
      return MISSING;
    }
  }

  function onInput(msg: Msg, send: SendFn, done: DoneFn): void {
    let property = readProperty(msg);
    if (property === MISSING) {
      node.warn(`Message property ${opts.propertyName} not found`);
      done();
      return;
    }
    const parts = msg.parts as Record<string, unknown> | undefined;

    if (opts.mode === 'auto' && !hasOwn(parts, 'id')) {
      if (hasOwn(msg, 'reset')) {
        for (const id of [...inflight.keys()]) dropGroup(id);
        inflight = new Map();
      } else {
        node.warn("Message missing msg.parts property - cannot join in 'auto' mode");
      }
      done();
      return;
    }

    if (opts.mode === 'custom' && hasOwn(msg, 'parts') && !opts.useParts) {
      if (hasOwn(parts, 'parts')) msg.parts = { parts: parts!.parts };
      else delete msg.parts;
    }

    let partId = '_';
    let payloadType: JoinBuild;
    let targetCount: number | undefined;
    let joinChar: unknown;
    let propertyKey: unknown;
    let arrayLen: unknown;
    let propertyIndex: unknown;
    if (opts.mode === 'auto') {
      const p = parts!;
      partId = String(p.id);
      payloadType = p.type as JoinBuild;
      targetCount = p.count as number | undefined;
      joinChar = p.ch;
      propertyKey = p.key;
      arrayLen = p.len;
      propertyIndex = p.index;
      property = getMessageProperty(msg, typeof p.property === 'string' && p.property !== '' ? p.property : 'payload');
    } else {
      payloadType = opts.build;
      targetCount = opts.count;
      joinChar = opts.joiner;
      const current = msg.parts as Record<string, unknown> | undefined;
      if (opts.countFromParts && hasOwn(msg, 'parts')) {
        targetCount = Number(current?.count) || 0;
        if (hasOwn(current, 'id')) partId = String(current!.id);
      }
      if (opts.build === 'object' && opts.key) propertyKey = readKey(opts.key, msg);
    }

    if (hasOwn(msg, 'restartTimeout')) {
      const group = inflight.get(partId);
      if (group) {
        clearTimeout(group.timeout);
        startTimer(partId, group);
      }
    }

    if (hasOwn(msg, 'reset')) {
      dropGroup(partId);
      done();
      return;
    }

    if (payloadType === 'object' && (propertyKey === null || propertyKey === undefined || propertyKey === '')) {
      if (opts.mode === 'auto') {
        node.warn("Message missing 'msg.parts.key' property - cannot add to object");
      } else if (hasOwn(msg, 'complete')) {
        const group = inflight.get(partId);
        if (group) {
          group.msg.complete = msg.complete;
          group.send = send;
          completeSend(partId);
        }
      } else {
        node.warn(`Message missing key property 'msg.${opts.keyName}' - cannot add to object`);
      }
      done();
      return;
    }

    let group = inflight.get(partId);
    if (!group) {
      const isObject = payloadType === 'object' || payloadType === 'merged';
      group = {
        currentCount: 0,
        payload: isObject ? {} : [],
        targetCount,
        type: isObject ? 'object' : payloadType,
        msg: cloneMessage(msg),
        send,
        dones: [],
        bufferLen: 0,
        prop: opts.mode === 'auto' ? (parts!.property as string | undefined) : opts.propertyName,
      };
      if (payloadType === 'string' || payloadType === 'buffer') group.joinChar = joinChar;
      else if (payloadType === 'array') group.arrayLen = arrayLen;
      inflight.set(partId, group);
      startTimer(partId, group);
    }

    if (payloadType === 'buffer' && property !== undefined) {
      if (!(Buffer.isBuffer(property) || typeof property === 'string' || Array.isArray(property))) {
        done(new Error(`Cannot join ${typeof property} to buffer`));
        return;
      }
      group.bufferLen += property.length;
    }
    group.dones.push(holdDone(msg, done));

    if (payloadType === 'object') {
      const target = group.payload as Record<string, unknown>;
      target[String(propertyKey)] = property;
      group.currentCount = Object.keys(target).length;
    } else if (payloadType === 'merged') {
      if (Array.isArray(property) || typeof property !== 'object') {
        if (!hasOwn(msg, 'complete')) node.warn('Cannot merge non-object types');
      } else if (property !== null) {
        const target = group.payload as Record<string, unknown>;
        for (const k of Object.keys(property)) if (k !== '_msgid') target[k] = (property as Record<string, unknown>)[k];
        group.currentCount = Object.keys(target).length;
      }
    } else {
      const items = group.payload as unknown[];
      const index = Number(propertyIndex);
      if (propertyIndex !== undefined && propertyIndex !== null && !Number.isNaN(index)) {
        if (items[index] === undefined || items[index] === null) group.currentCount++;
        items[index] = property;
      } else if (property !== undefined) {
        items.push(property);
        group.currentCount++;
      }
    }
    // The output carries the other properties of the last message received.
    Object.assign(group.msg, msg);
    group.send = send;
    let target = group.targetCount;
    if (hasOwn(msg, 'parts')) {
      target = group.targetCount || ((msg.parts as Record<string, unknown>).count as number | undefined);
      group.targetCount = target;
    }
    if ((target !== undefined && target > 0 && group.currentCount >= target) || hasOwn(msg, 'complete')) completeSend(partId);
  }

  function onClose(): void {
    for (const group of inflight.values()) {
      clearTimeout(group.timeout);
      release(group.dones);
    }
    inflight = new Map();
  }

  return { onInput, onClose };
}

function readKey(key: CompiledPath, msg: Msg): unknown {
  try {
    return key.get(msg);
  } catch {
    // A missing parent of the key path is a missing key, reported as such by the caller.
    return undefined;
  }
}
