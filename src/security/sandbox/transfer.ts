import type { Msg } from '../../runtime/types.js';
import type { OutputMessages } from './types.js';

/** Properties that never enter the isolate (Node-RED does not clone them either). */
const HOST_ONLY_KEYS = new Set(['req', 'res']);
const MAX_DEPTH = 64;

export type Aside = Record<string, unknown> | null;

/**
 * The `_msgid` messages sent for an input carry: the input's own, as Node-RED copies it whatever
 * its type (a spec or a flow may set a number).
 */
export type MsgId = string | number | undefined;

export function asMsgId(v: unknown): MsgId {
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}

function isCopyable(v: unknown): boolean {
  if (typeof v === 'function' || typeof v === 'symbol') return false;
  if (v === null || typeof v !== 'object') return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto === Object.prototype || proto === null || Array.isArray(v)) return true;
  return (
    v instanceof Date || v instanceof RegExp || v instanceof Map || v instanceof Set ||
    v instanceof ArrayBuffer || ArrayBuffer.isView(v) || v instanceof Error
  );
}

/**
 * Splits a message into what may cross into the isolate and the top-level values kept on the
 * host (`req`, `res`, functions, class instances such as sockets), to be put back on what the
 * code sends. The message is copied only when something is set aside.
 */
export function setAside(msg: Msg): { inside: Msg; aside: Aside } {
  let aside: Record<string, unknown> | null = null;
  for (const key of Object.keys(msg)) {
    const v = msg[key];
    if (HOST_ONLY_KEYS.has(key) || !isCopyable(v)) {
      aside ??= {};
      aside[key] = v;
    }
  }
  if (aside === null) return { inside: msg, aside };
  const inside: Msg = {};
  for (const key of Object.keys(msg)) if (!(key in aside)) inside[key] = msg[key];
  return { inside, aside };
}

/** Puts set-aside values back on a message that does not define them itself. */
export function reattach(msg: Msg, aside: Aside): void {
  if (aside === null) return;
  for (const key of Object.keys(aside)) if (!(key in msg)) msg[key] = aside[key];
}

/**
 * Makes a value copied out of the isolate ready for the host: byte arrays become Node Buffers
 * (zero-copy views) and own `__proto__` keys are dropped, so a message cannot carry a prototype
 * pollution payload to nodes that merge objects.
 */
export function restore(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || depth > MAX_DEPTH) return v;
  if (v instanceof Uint8Array) return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (x !== null && typeof x === 'object') v[i] = restore(x, depth + 1);
    }
    return v;
  }
  if (v instanceof Map) {
    for (const [k, x] of v) if (x !== null && typeof x === 'object') v.set(k, restore(x, depth + 1));
    return v;
  }
  if (v instanceof Date || v instanceof RegExp || ArrayBuffer.isView(v) || v instanceof Set) return v;
  const rec = v as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(rec, '__proto__')) delete rec['__proto__'];
  for (const key of Object.keys(rec)) {
    const x = rec[key];
    if (x !== null && typeof x === 'object') rec[key] = restore(x, depth + 1);
  }
  return v;
}

function typeName(v: unknown): string {
  if (Buffer.isBuffer(v)) return 'Buffer';
  if (Array.isArray(v)) return 'Array';
  if (v instanceof Date) return 'Date';
  return typeof v;
}

/**
 * Node-RED's reading of what a function returned or passed to `node.send`: a message, an array
 * with one entry per output, each entry a message, an array of messages or null. Non-messages
 * are reported through `reject` and left out. Returns null when nothing is to be sent.
 */
export function normaliseOutput(
  value: unknown,
  context: { msgid: MsgId; aside: Aside; reject: (message: string) => void },
): OutputMessages | null {
  return normaliseSent(value, context.msgid, context.aside, context.reject);
}

/** `normaliseOutput` with its context spread out, for the per-message path (no object per call). */
export function normaliseSent(value: unknown, msgid: MsgId, aside: Aside, reject: (message: string) => void): OutputMessages | null {
  if (value === null || value === undefined) return null;
  if (isMessage(value)) {
    // The common case, `return msg`: one message on the first output.
    if (msgid !== undefined) value._msgid = msgid as string;
    reattach(value, aside);
    return [[value]];
  }
  const outputs: unknown[] = Array.isArray(value) ? value : [value];
  const result: OutputMessages = [];
  let count = 0;
  for (const entry of outputs) {
    if (entry === null || entry === undefined) { result.push(null); continue; }
    const list: unknown[] = Array.isArray(entry) ? entry : [entry];
    const msgs: Msg[] = [];
    for (const m of list) {
      if (m === null || m === undefined) continue;
      if (isMessage(m)) {
        if (msgid !== undefined) m._msgid = msgid as string;
        reattach(m, aside);
        msgs.push(m);
        count++;
      } else {
        reject(`Function tried to send a message of type ${typeName(m)}`);
      }
    }
    result.push(msgs);
  }
  return count > 0 ? result : null;
}

function isMessage(m: unknown): m is Msg {
  return typeof m === 'object' && m !== null && !Array.isArray(m) && !Buffer.isBuffer(m) && !(m instanceof Date);
}

/** A thrown value as described by the isolate's runtime. */
export interface ThrownInfo {
  name?: string;
  message?: string;
  stack?: string;
  text?: string;
}

/**
 * Node-RED's error text for a failure in user code: `TypeError: x is not a function (line 3, col 7)`
 * with the position inside the node's own code, or the thrown string as it is.
 */
export function describeThrown(info: ThrownInfo, filename: string): { message: string; thrown: { name?: string; message: string; stack?: string } } {
  if (info.text !== undefined) return { message: info.text, thrown: { message: info.text } };
  const head = `${info.name ?? 'Error'}: ${info.message ?? ''}`;
  const stack = info.stack ?? '';
  const at = stack.split('\n').find((line) => line.includes(filename));
  const pos = at === undefined ? null : /:(\d+):(\d+)\)?\s*$/.exec(at);
  const message = pos === null ? head : `${head} (line ${pos[1]}, col ${pos[2]})`;
  return { message, thrown: { name: info.name, message: info.message ?? '', stack } };
}
