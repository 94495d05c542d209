/**
 * The split node's per-node state machine: turns one message into a sequence, carrying what is
 * left over (stream mode) from one message to the next. Parts are built in the order Node-RED
 * builds them, so the debug output of a split message matches Node-RED's key for key.
 */
import type { DoneFn, SendFn } from '../../runtime/definition/index.js';
import { cloneMessage, deleteProperty, generateId, type CompiledPath } from '../../runtime/properties/index.js';
import type { Msg } from '../../runtime/types.js';

export type Separator =
  | { readonly kind: 'str'; readonly text: string }
  | { readonly kind: 'bin'; readonly bytes: readonly number[]; readonly buffer: Buffer }
  | { readonly kind: 'len'; readonly length: number };

export interface SplitterOptions {
  /** The property split (Node-RED 4 can split any msg property, not only payload). */
  readonly property: CompiledPath;
  readonly propertyName: string;
  readonly separator: Separator;
  /** Elements per message when splitting arrays. */
  readonly arrayChunk: number;
  readonly stream: boolean;
  /** Where to copy each key when splitting an object (`addname`), if anywhere. */
  readonly keyTarget: CompiledPath | undefined;
}

type Parts = Record<string, unknown>;

/**
 * Builds the input handler of one split node.
 *
 * @example const split = createSplitter(opts); split(msg, send, done);
 */
export function createSplitter(opts: SplitterOptions): (msg: Msg, send: SendFn, done: DoneFn) => void {
  const { property, separator, stream } = opts;
  let counter = 0;
  let remainder = '';
  let held: Buffer = Buffer.alloc(0);
  // In stream mode a message whose data is all held back completes when that data is sent.
  let pendingDones: DoneFn[] = [];

  const releasePending = (): void => {
    const dones = pendingDones;
    pendingDones = [];
    for (const d of dones) d();
  };

  const emit = (msg: Msg, value: unknown, send: SendFn): void => {
    property.set(msg, value);
    send(cloneMessage(msg));
  };

  function sendPieces(msg: Msg, parts: Parts, pieces: string[], send: SendFn): void {
    const last = pieces.length - 1;
    for (let i = 0; i < last; i++) {
      parts.index = counter++;
      if (!stream) parts.count = pieces.length;
      emit(msg, pieces[i], send);
    }
    if (stream) {
      remainder = pieces[last]!;
      return;
    }
    parts.index = counter++;
    parts.count = pieces.length;
    emit(msg, pieces[last], send);
    counter = 0;
  }

  function splitString(msg: Msg, parts: Parts, value: string, send: SendFn, done: DoneFn): void {
    const text = remainder + value;
    parts.type = 'string';
    if (separator.kind === 'len') {
      const size = separator.length;
      parts.ch = '';
      parts.len = size;
      const count = Math.ceil(text.length / size);
      if (!stream) {
        parts.count = count;
        counter = 0;
      }
      let pos = 0;
      for (let i = 0; i < count - 1; i++) {
        parts.index = counter++;
        emit(msg, text.substring(pos, pos + size), send);
        pos += size;
      }
      if (count > 1) releasePending();
      remainder = text.substring(pos);
      if (!stream || remainder.length === size) {
        parts.index = counter++;
        emit(msg, remainder, send);
        remainder = '';
        releasePending();
        done();
      } else {
        pendingDones.push(done);
      }
      return;
    }
    let pieces: string[];
    if (separator.kind === 'bin') {
      pieces = text.split(separator.buffer.toString());
      parts.ch = separator.bytes;
    } else {
      pieces = text.split(separator.text);
      parts.ch = separator.text;
    }
    // Node-RED can carry a stale index into a non-stream string after a buffer split; always
    // starting a non-stream sequence at 0 is what its docs describe.
    if (!stream) counter = 0;
    sendPieces(msg, parts, pieces, send);
    done();
  }

  function splitArray(msg: Msg, parts: Parts, value: unknown[], send: SendFn, done: DoneFn): void {
    const chunk = opts.arrayChunk;
    const count = Math.ceil(value.length / chunk);
    parts.type = 'array';
    parts.count = count;
    parts.len = chunk;
    // As Node-RED: the pieces are cut from one copy, so the message itself keeps its array and
    // its parts without an index (what a complete node watching the split is given).
    const working = cloneMessage(msg);
    const workingParts = working.parts as Parts;
    for (let i = 0, pos = 0; i < count; i++, pos += chunk) {
      workingParts.index = i;
      emit(working, chunk === 1 ? value[pos] : value.slice(pos, pos + chunk), send);
    }
    done();
  }

  function splitObject(msg: Msg, parts: Parts, value: Record<string, unknown>, send: SendFn, done: DoneFn): void {
    const keys = Object.keys(value);
    parts.type = 'object';
    keys.forEach((key, index) => {
      if (opts.keyTarget) opts.keyTarget.set(msg, key);
      parts.key = key;
      parts.index = index;
      parts.count = keys.length;
      emit(msg, value[key], send);
    });
    done();
  }

  function splitBufferByLength(msg: Msg, parts: Parts, data: Buffer, send: SendFn, done: DoneFn, size: number): void {
    const count = Math.ceil(data.length / size);
    if (!stream) {
      parts.count = count;
      counter = 0;
    }
    parts.len = size;
    let pos = 0;
    for (let i = 0; i < count - 1; i++) {
      parts.index = counter++;
      emit(msg, data.subarray(pos, pos + size), send);
      pos += size;
    }
    if (count > 1) releasePending();
    held = data.subarray(pos);
    if (!stream || held.length === size) {
      parts.index = counter++;
      emit(msg, held, send);
      held = Buffer.alloc(0);
      releasePending();
      done();
    } else {
      pendingDones.push(done);
    }
  }

  function splitBufferByDelimiter(msg: Msg, parts: Parts, data: Buffer, send: SendFn, done: DoneFn): void {
    // Node-RED steps over a string delimiter by its length in characters; bytes are what a
    // Buffer holds, so a multi-byte delimiter is stepped over by its byte length here.
    let delimiter: Buffer;
    if (separator.kind === 'bin') {
      delimiter = separator.buffer;
      parts.ch = separator.bytes;
    } else {
      const text = separator.kind === 'str' ? separator.text : '';
      delimiter = Buffer.from(text);
      parts.ch = text;
    }
    let count = 1;
    for (let at = data.indexOf(delimiter); at > -1; at = data.indexOf(delimiter, at + delimiter.length)) count++;
    if (!stream) {
      parts.count = count;
      counter = 0;
    }
    let start = 0;
    for (let at = data.indexOf(delimiter); at > -1; at = data.indexOf(delimiter, start)) {
      parts.index = counter++;
      emit(msg, data.subarray(start, at), send);
      start = at + delimiter.length;
    }
    if (count > 1) releasePending();
    // As Node-RED: without stream mode an empty segment after a trailing delimiter is not sent,
    // although parts.count counts it.
    if (!stream && start < data.length) {
      parts.index = counter++;
      parts.count = counter;
      emit(msg, data.subarray(start), send);
      releasePending();
      held = Buffer.alloc(0);
    } else {
      held = data.subarray(start);
      if (held.length > 0) pendingDones.push(done);
    }
    if (held.length === 0) done();
  }

  return (msg, send, done) => {
    const value = property.get(msg);
    // As Node-RED: a message without the property is dropped and never completed, so complete
    // nodes do not see it.
    if (value === undefined) return;
    const parts: Parts = Object.hasOwn(msg, 'parts') ? { parts: msg.parts } : {};
    parts.id = generateId();
    if (opts.propertyName !== 'payload') parts.property = opts.propertyName;
    msg.parts = parts;
    // Keeps the message's fast layout: every piece is cloned from it (or from its copy).
    deleteProperty(msg, '_msgid');
    if (typeof value === 'string') {
      splitString(msg, parts, value, send, done);
    } else if (Array.isArray(value)) {
      splitArray(msg, parts, value, send, done);
    } else if (Buffer.isBuffer(value)) {
      const data = held.length > 0 ? Buffer.concat([held, value]) : value;
      parts.type = 'buffer';
      if (separator.kind === 'len') splitBufferByLength(msg, parts, data, send, done, separator.length);
      else splitBufferByDelimiter(msg, parts, data, send, done);
    } else if (typeof value === 'object' && value !== null) {
      splitObject(msg, parts, value as Record<string, unknown>, send, done);
    } else if (value === null) {
      // Node-RED 4 takes null for an object and fails on its keys: the node's error, which catch
      // nodes see, with that TypeError's text; the message is not completed.
      throw new TypeError('Cannot convert undefined or null to object');
    } else {
      // Numbers and booleans are not split: the message is dropped and completed, as in Node-RED.
      done();
    }
  };
}
