/**
 * The message path when hooks are added (see `runtime/hooks/`), in Node-RED's stages and order:
 *
 *   send:     onSend (every send event of one `send` call) → per event: preRoute → destination
 *             looked up → clone when the event says so → preDeliver → queued for delivery →
 *             postDeliver
 *   delivery: onReceive → input handlers → postReceive
 *   done():   onComplete (with the error, if any), beside the complete and catch nodes
 *
 * The events have Node-RED's shapes, so a hook written for Node-RED reads and changes the same
 * fields. A stage's outcome `false` drops the message there; an error becomes an error of the
 * sending node (send stages) or the receiving node (delivery and completion stages), logged
 * without the message, as Node-RED does: so catch nodes do not see it. Without hooks none of
 * this runs: `RuntimeNode` tests one flag and takes its direct path.
 */
import { cloneMessage, generateId } from '../properties/index.js';
import type { SendArg } from '../definition/index.js';
import type { Msg } from '../types.js';
import { pendingSends } from './pending-sends.js';
import type { NodeHost, RuntimeNode } from './runtime-node.js';

/** One message of a `send` call on its way to one node: Node-RED's SendEvent. */
export interface SendEvent {
  msg: Msg;
  source: { id: string; node: RuntimeNode; port: number };
  /** `node` is filled in after preRoute, from `id` (which a preRoute hook may change). */
  destination: { id: string; node: RuntimeNode | undefined };
  /** Whether the message is cloned before delivery: every event of a send but the first. */
  cloneMessage: boolean;
}

/** A message about to reach (onReceive) or handed to (postReceive) a node's input handlers. */
export interface ReceiveEvent {
  msg: Msg;
  destination: { id: string; node: RuntimeNode };
}

/** A node called `done()` for a message, with an error or without. */
export interface CompleteEvent {
  msg: Msg;
  error: unknown;
  node: { id: string; node: RuntimeNode };
}

/** Sends through onSend, preRoute, preDeliver and postDeliver. */
export function sendThroughHooks(node: RuntimeNode, arg: SendArg): void {
  const pending = pendingSends(node, Array.isArray(arg) ? arg : [arg]);
  if (pending.length === 0) return;
  // A subflow's input port forwards what its instance node receives: in Node-RED the instance
  // node itself sends, so hooks see it as the source.
  const sender = node.type === 'subflow-port' && node._flow.instance ? node._flow.instance : node;
  const events: SendEvent[] = pending.map((p) => ({
    msg: p.msg,
    source: { id: sender.id, node: sender, port: p.port },
    destination: { id: p.target.id, node: undefined },
    cloneMessage: p.clone,
  }));
  const hooks = node._flow.hooks;
  hooks.trigger('onSend', events, (outcome) => {
    if (outcome) sender.error(outcome);
    else if (outcome !== false) for (let i = 0; i < events.length; i++) route(node._flow, sender, events[i]!, pending[i]!.target);
  });
}

/** One event's way from preRoute on; `host` is the flow of the node that sent (for a port, not its instance's). */
function route(host: NodeHost, sender: RuntimeNode, event: SendEvent, wired: RuntimeNode): void {
  host.hooks.trigger('preRoute', event, (outcome) => {
    if (outcome) return sender.error(outcome);
    if (outcome === false) return;
    // The wired node unless a preRoute hook pointed the event elsewhere, as Node-RED looks it up by id.
    const target = event.destination.id === wired.id ? wired : host.getNode(event.destination.id);
    event.destination.node = target;
    if (!target) return;
    if (event.cloneMessage) event.msg = cloneMessage(event.msg);
    host.hooks.trigger('preDeliver', event, (delivering) => {
      if (delivering) return sender.error(delivering);
      if (delivering === false) return;
      // What the event holds now: a hook may have replaced the message or the destination. A
      // replacement message gets an id as `receive` gives one in Node-RED.
      const destination = event.destination.node;
      const msg = event.msg;
      if (destination && (msg === null || typeof msg !== 'object')) {
        sender.error(`a hook replaced the message to '${destination.id}' with ${msg === null ? 'null' : `a ${typeof msg}`}; it was not delivered`);
      } else if (destination) {
        if (!msg._msgid) msg._msgid = generateId();
        host.enqueue(destination, msg);
      }
      host.hooks.trigger('postDeliver', event, (after) => {
        if (after) sender.error(after);
      });
    });
  });
}

/** Delivers through onReceive, the input handlers and postReceive. */
export function receiveThroughHooks(node: RuntimeNode, msg: Msg): void {
  const event: ReceiveEvent = { msg, destination: { id: node.id, node } };
  const hooks = node._flow.hooks;
  hooks.trigger('onReceive', event, (outcome) => {
    if (outcome) return node.error(outcome);
    if (outcome === false) return;
    // The message as delivered, not `event.msg`: Node-RED hands its own reference to the
    // handlers too, so a hook changes a message by editing it, not by replacing it.
    node.handOver(msg);
    hooks.trigger('postReceive', event, (after) => {
      if (after) node.error(after);
    });
  });
}

/** Tells onComplete that `node` is done with `msg`; the completion itself goes on regardless. */
export function completeThroughHooks(node: RuntimeNode, msg: Msg, error: unknown): void {
  const event: CompleteEvent = { msg, error, node: { id: node.id, node } };
  node._flow.hooks.trigger('onComplete', event, (outcome) => {
    if (outcome) node.error(outcome);
  });
}
