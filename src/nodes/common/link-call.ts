/**
 * `link call`: sends the message to a `link in` (fixed by id in `links`, or chosen per message
 * from `msg.target` by id or name) and waits for a `link out` in return mode to hand it back,
 * then sends it on. The way back is a stack in `msg._linkSource`, so calls nest. No return within
 * `timeout` seconds is the node's error ("timeout") on the message as it was sent.
 */
import { randomBytes } from 'node:crypto';
import { defineNode, number, select, string, type DoneFn, type NodeApi, type SendFn } from '../../runtime/definition/index.js';
import { cloneMessage } from '../../runtime/properties/index.js';
import type { Msg } from '../../runtime/types.js';
import { linkRegistry, linksProperty, readLinks, type LinkRegistry, type ReturnHandler } from './link-registry.js';
import type { LinkSourceEntry } from './link-out.js';

interface PendingCall {
  /** The message as it was sent, for the timeout error. */
  msg: Msg;
  send: SendFn;
  done: DoneFn;
  timer: NodeJS.Timeout;
}

/**
 * Node-RED's target lookup: an id first; in dynamic mode then a name, on this node's flow first,
 * then on all tabs (link ins inside subflow instances are not found by name from outside).
 * A failure is returned as a plain Error, not thrown: it becomes the node's error on the message,
 * and catch nodes see its text as Node-RED gives it ("Error: target link-in node 'x' not found").
 */
function findTarget(registry: LinkRegistry, caller: NodeApi, target: unknown, isDynamic: boolean): NodeApi | Error {
  const byId = typeof target === 'string' ? registry.linkIn(target) : undefined;
  if (byId) return byId.node;
  if (isDynamic && typeof target === 'string' && target !== '') {
    const named = registry.linkInsNamed(target);
    const sameFlow = named.filter((e) => e.node.z === caller.z);
    if (sameFlow.length === 1) return sameFlow[0]!.node;
    const onTabs = named.filter((e) => e.node._alias === undefined);
    if (onTabs.length === 1) return onTabs[0]!.node;
    if (onTabs.length > 1) return new Error(`Multiple link-in nodes named '${target}' found`);
  }
  const shown = target === undefined || target === null ? '' : String(target);
  return new Error(`target link-in node '${shown}' not found`);
}

export const linkCallNode = defineNode({
  type: 'link call',
  category: 'common',
  inputs: 1,
  outputs: 1,
  properties: {
    name: string({ default: '' }),
    links: linksProperty(),
    linkType: select(['static', 'dynamic'], { default: 'static', lenient: true }),
    timeout: number({ default: 30, min: 0 }),
  },
  editor: { color: '#ddd', icon: 'link-call.svg', paletteLabel: 'link call' },
  create(config, node) {
    const registry = linkRegistry(node.runtime);
    const staticTarget = readLinks(config.links)[0];
    const isDynamic = config.linkType === 'dynamic';
    // Node-RED reads an empty or zero timeout as its default of 30 seconds.
    const timeoutMs = (config.timeout > 0 ? config.timeout : 30) * 1000;
    const pending = new Map<string, PendingCall>();

    const onTimeout = (eventId: string) => {
      const call = pending.get(eventId);
      if (!call) return;
      pending.delete(eventId);
      // As Node-RED: the error carries the message as it was sent, and the call is not completed.
      node.error('timeout', call.msg);
    };

    const returnMessage: ReturnHandler = (eventId, msg) => {
      if (Array.isArray(msg._linkSource) && msg._linkSource.length === 0) delete msg._linkSource;
      const call = pending.get(eventId);
      if (!call) {
        // Returned after its timeout (or after a redeploy): Node-RED still sends it on.
        node.send(msg);
        return;
      }
      clearTimeout(call.timer);
      pending.delete(eventId);
      call.send(msg);
      call.done();
    };
    registry.addCaller(node.id, returnMessage);

    return {
      onInput(msg, send, done) {
        const target = findTarget(registry, node, isDynamic ? msg.target : staticTarget, isDynamic);
        if (target instanceof Error) {
          done(target);
          return;
        }
        const stack: LinkSourceEntry[] = Array.isArray(msg._linkSource) ? (msg._linkSource as LinkSourceEntry[]) : [];
        msg._linkSource = stack;
        const entry: LinkSourceEntry = { id: randomBytes(14).toString('hex'), node: node.id };
        const timer = setTimeout(() => {
          try {
            onTimeout(entry.id);
          } catch (err) {
            node.error(err);
          }
        }, timeoutMs);
        pending.set(entry.id, { msg: cloneMessage(msg), send, done, timer });
        stack.push(entry);
        node.runtime.deliver(target, msg, node);
      },
      onClose() {
        for (const call of pending.values()) clearTimeout(call.timer);
        pending.clear();
        registry.removeCaller(node.id, returnMessage);
      },
    };
  },
});
