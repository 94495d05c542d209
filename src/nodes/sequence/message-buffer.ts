/** What the sequence nodes keep while they wait for the rest of a sequence. */
import type { DoneFn, NodeApi, SendFn } from '../../runtime/definition/index.js';
import type { Msg } from '../../runtime/types.js';

/** A message held by a node, with the send and done of the input it arrived on. */
export interface PendingMessage {
  msg: Msg;
  send: SendFn;
  done: DoneFn;
}

/**
 * Node-RED's `nodeMessageBufferMaxLength`: how many messages a node may hold (0 = no limit).
 * Read at each check, not cached at start, so a settings change reaches running nodes.
 *
 * @example if (limit > 0 && held > limit) dropHeldMessages();  // const limit = messageBufferLimit(node)
 */
export function messageBufferLimit(node: NodeApi): number {
  const value = Number(node.runtime.settings.nodeMessageBufferMaxLength ?? 0);
  return Number.isFinite(value) && value > 0 ? value : 0;
}
