/**
 * The trigger node's behaviour, one stream per topic (or one for all). Messages are handled one
 * after another, as Node-RED does, so a value read from a context store cannot reorder them.
 */
import type { DoneFn, NodeApi, NodeHandlers, SendFn } from '../../../runtime/definition/index.js';
import type { CompiledPath } from '../../../runtime/properties/index.js';
import { cloneMessage } from '../../../runtime/properties/index.js';
import type { Msg, NodeStatus } from '../../../runtime/types.js';

export interface TriggerOptions {
  readonly op1type: string;
  readonly op2type: string;
  /** The value sent first / second, given the message; types `pay`, `payl`, `nul` never reach these. */
  readonly first: (msg: Msg) => unknown;
  readonly second: (msg: Msg) => unknown;
  readonly durationMs: number;
  /** Resend the first message every `durationMs` until reset. */
  readonly loop: boolean;
  readonly extend: boolean;
  readonly overrideDelay: boolean;
  /** A payload equal to this (as text) resets the stream; '' = only `msg.reset` does. */
  readonly reset: string;
  /** Set when each topic is its own stream. */
  readonly topicPath: CompiledPath | undefined;
  readonly secondOutput: boolean;
}

interface Stream {
  timer?: NodeJS.Timeout;
  /** Duration 0: armed until reset, no timer. */
  waiting?: boolean;
  /** The value for the second message, read when the stream started. */
  second?: unknown;
}

const ALL = '_none';
const hasOwn = (obj: object, key: string) => Object.prototype.hasOwnProperty.call(obj, key);

export function createTriggerRunner(options: TriggerOptions, node: NodeApi): NodeHandlers {
  const streams = new Map<string, Stream>();
  /** For `payl`: the newest message of each stream. */
  const latest = new Map<string, Msg>();
  let chain: Promise<void> = Promise.resolve();
  const { op1type, op2type } = options;
  /** These second values are read again when the timer fires, so they are current then. */
  const rereadAtFire = op2type === 'flow' || op2type === 'global' || op2type === 'date';

  const status = (): NodeStatus => {
    const count = streams.size;
    if (count === 0) return {};
    if (count === 1) return { fill: 'blue', shape: 'dot' };
    return { fill: 'blue', shape: 'dot', text: String(count) };
  };
  const showStatus = () => node.status(status());
  const out = (send: SendFn, msg: Msg | null) => (options.secondOutput ? send([null, msg]) : send(msg));

  const stop = (stream: Stream | undefined) => {
    if (!stream?.timer) return;
    if (options.loop) clearInterval(stream.timer);
    else clearTimeout(stream.timer);
    stream.timer = undefined;
  };

  const isReset = (msg: Msg): boolean => {
    if (hasOwn(msg, 'reset')) return true;
    if (options.reset === '' || !hasOwn(msg, 'payload')) return false;
    const payload = msg.payload as { toString?: () => string } | null | undefined;
    return payload !== null && payload !== undefined && typeof payload.toString === 'function' && payload.toString() === options.reset;
  };

  /** The timer of a stream that just started: send the second message and end the stream. */
  const fire = async (topic: string, stream: Stream, msg: Msg, send: SendFn) => {
    if (op2type !== 'nul') {
      const msg2 = cloneMessage(msg);
      if (rereadAtFire) stream.second = await options.second(msg);
      if (op2type === 'payl') {
        out(send, latest.get(topic) ?? null);
        latest.delete(topic);
      } else {
        msg2.payload = stream.second;
        out(send, msg2);
      }
    }
    if (streams.get(topic) === stream) streams.delete(topic);
    showStatus();
  };

  /** The timer of an extended stream: the second message is built on the message that extended it. */
  const fireExtended = async (topic: string, stream: Stream, msg: Msg, send: SendFn) => {
    if (op2type === 'flow' || op2type === 'global') stream.second = await options.second(msg);
    let msg2: Msg | null = null;
    if (op2type !== 'nul' && streams.get(topic) === stream) {
      msg2 = cloneMessage(msg);
      msg2.payload = stream.second;
    }
    if (streams.get(topic) === stream) streams.delete(topic);
    showStatus();
    out(send, msg2);
  };

  const guarded = (task: () => Promise<void>, msg: Msg) => () => {
    task().catch((err: unknown) => node.error(err, msg));
  };

  const start = async (topic: string, stream: Stream, msg: Msg, send: SendFn, delayMs: number) => {
    if (op2type === 'pay') stream.second = cloneMessage(msg.payload);
    else if (op2type !== 'nul' && op2type !== 'payl') stream.second = await options.second(msg);
    if (op1type !== 'pay' && op1type !== 'nul') msg.payload = await options.first(msg);
    if (delayMs === 0) {
      stream.waiting = true;
    } else if (options.loop) {
      stop(stream);
      if (op1type !== 'nul') {
        const repeat = cloneMessage(msg);
        stream.timer = setInterval(() => {
          try {
            if (op1type === 'date') repeat.payload = options.first(repeat);
            send(cloneMessage(repeat));
          } catch (err) {
            node.error(err, msg);
          }
        }, delayMs);
      }
    } else if (!stream.timer) {
      stream.timer = setTimeout(guarded(() => fire(topic, stream, msg, send), msg), delayMs);
    }
    showStatus();
    if (op1type !== 'nul') send(cloneMessage(msg));
  };

  const handle = async (msg: Msg, send: SendFn, done: DoneFn) => {
    const topic = options.topicPath ? String(options.topicPath.get(msg) || ALL) : ALL;
    let delayMs = options.durationMs;
    if (options.overrideDelay && hasOwn(msg, 'delay')) {
      const value = parseFloat(String(msg.delay));
      if (!Number.isNaN(value)) delayMs = value;
    }
    if (isReset(msg)) {
      stop(streams.get(topic));
      streams.delete(topic);
      latest.delete(topic);
      showStatus();
      done();
      return;
    }
    let stream = streams.get(topic);
    const isNew = !stream;
    if (!stream) {
      stream = {};
      streams.set(topic, stream);
    }
    if (op2type === 'payl') latest.set(topic, cloneMessage(msg));
    const idle = isNew || (!stream.timer && !stream.waiting);
    if (idle || options.loop) {
      try {
        await start(topic, stream, msg, send, delayMs);
      } catch (err) {
        if (isNew && streams.get(topic) === stream && !stream.timer) streams.delete(topic);
        throw err;
      }
    } else if (options.extend && delayMs > 0) {
      if (op2type === 'payl') stream.second = cloneMessage(msg.payload);
      const current = stream;
      stop(current);
      current.waiting = false;
      current.timer = setTimeout(guarded(() => fireExtended(topic, current, msg, send), msg), delayMs);
    }
    // Otherwise the stream is running and the message is swallowed.
    done();
  };

  return {
    onInput(msg, send, done) {
      chain = chain.then(() => handle(msg, send, done).catch((err: unknown) => done(err)));
    },
    onClose() {
      for (const stream of streams.values()) stop(stream);
      streams.clear();
      latest.clear();
      showStatus();
    },
  };
}
