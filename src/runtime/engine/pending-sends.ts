/**
 * How one `node.send([...])` fans out into deliveries, by Node-RED's rules: per output, per wire,
 * per message; every delivery but the first gets a clone; a message without `_msgid` takes the
 * first id sent (else a new one); a non-object is reported as the node's error and left out.
 * Both the direct path and the hooked path (where each becomes a send event) start from this.
 */
import { generateId } from '../properties/index.js';
import type { Msg } from '../types.js';
import type { RuntimeNode } from './runtime-node.js';

/** What `send` takes as an array: per output, a message, a list of messages, or nothing. */
export type Outputs = ReadonlyArray<Msg | null | undefined | ReadonlyArray<Msg | null | undefined>>;

/** One message of a `send` call bound for one node. */
export interface PendingSend {
  target: RuntimeNode;
  msg: Msg;
  port: number;
  /** Whether it is delivered as a clone: every one of a send but the first. */
  clone: boolean;
}

/** The deliveries of `outputs` sent by `node`, in order, not yet cloned. */
export function pendingSends(node: RuntimeNode, outputs: Outputs): PendingSend[] {
  const targets = node.targets;
  let sentId: string | undefined;
  let missingIds = false;
  const sends: PendingSend[] = [];
  const n = Math.min(outputs.length, targets.length);
  for (let port = 0; port < n; port++) {
    const out = outputs[port];
    const wired = targets[port]!;
    if (out === null || out === undefined || wired.length === 0) continue;
    const list = Array.isArray(out) ? out : [out as Msg];
    for (const target of wired) {
      for (const m of list) {
        if (m === null || m === undefined) continue;
        if (typeof m !== 'object') {
          node.error(`Function tried to send a message of type ${typeof m}`);
          continue;
        }
        if (!m._msgid) missingIds = true;
        else if (!sentId) sentId = m._msgid;
        sends.push({ target, msg: m, port, clone: sends.length > 0 });
      }
    }
  }
  if (missingIds) {
    const id = sentId ?? generateId();
    for (const p of sends) if (!p.msg._msgid) p.msg._msgid = id;
  }
  return sends;
}

/**
 * The common case of an array send, a switch node's `[null, msg, null]`: at most one message
 * bound for one node, queued here without the lists and records `pendingSends` makes. Returns
 * false, having queued nothing, when the send is anything else (more deliveries, a list on an
 * output, a value that is not an object); `pendingSends` then takes it whole.
 */
export function sendSingle(node: RuntimeNode, outputs: Outputs): boolean {
  const targets = node.targets;
  const n = Math.min(outputs.length, targets.length);
  let msg: Msg | undefined;
  let target: RuntimeNode | undefined;
  for (let port = 0; port < n; port++) {
    const out = outputs[port];
    if (out === null || out === undefined) continue;
    const wired = targets[port]!;
    if (wired.length === 0) continue;
    if (msg !== undefined || wired.length > 1 || typeof out !== 'object' || Array.isArray(out)) return false;
    msg = out as Msg;
    target = wired[0];
  }
  if (msg === undefined) return true;
  if (!msg._msgid) msg._msgid = generateId();
  node._flow.enqueue(target!, msg);
  return true;
}
