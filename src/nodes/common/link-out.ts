/**
 * `link out`: in `link` mode, sends to every `link in` it is linked with, on any tab (the links
 * are read from both ends, as Node-RED's flow parser joins them); in `return` mode, hands the
 * message back to the `link call` that sent it, taken from the top of `msg._linkSource`.
 */
import { defineNode, select, string, type NodeApi } from '../../runtime/definition/index.js';
import { cloneMessage } from '../../runtime/properties/index.js';
import type { Msg } from '../../runtime/types.js';
import { linkRegistry, linksProperty, readLinks, type LinkRegistry } from './link-registry.js';

/** One entry of `msg._linkSource`: which link call is waiting, and for which call. */
export interface LinkSourceEntry {
  id: string;
  node: string;
}

function linkTargets(registry: LinkRegistry, node: NodeApi, links: readonly string[]): NodeApi[] {
  const ids = new Set(links);
  for (const entry of registry.linkInsNaming(node.id)) ids.add(entry.node.id);
  const targets: NodeApi[] = [];
  for (const id of ids) {
    // A link to a node that is gone (deleted, disabled, on a stopped tab) is skipped, as a wire to it would be.
    const target = registry.linkIn(id)?.node;
    if (target) targets.push(target);
  }
  return targets;
}

export const linkOutNode = defineNode({
  type: 'link out',
  category: 'common',
  inputs: 1,
  outputs: 0,
  properties: {
    name: string({ default: '' }),
    // Node-RED ignores messages in a mode it does not know rather than failing: lenient.
    mode: select(['link', 'return'], { default: 'link', lenient: true }),
    links: linksProperty(),
  },
  editor: { color: '#ddd', icon: 'link-out.svg', paletteLabel: 'link out', align: 'right' },
  create(config, node) {
    const registry = linkRegistry(node.runtime);
    const links = readLinks(config.links);
    const event = `node:${node.id}`;
    return {
      onInput(msg, _send, done) {
        // Node-RED marks the message with the event name of the link out it passed through.
        msg._event = event;
        if (config.mode === 'return') {
          returnToCaller(registry, node, msg);
        } else if (config.mode === 'link') {
          const targets = linkTargets(registry, node, links);
          // As on a wire: the first target gets the message, the others clones made before any delivery.
          const copies = targets.slice(1).map(() => cloneMessage(msg));
          targets.forEach((target, i) => node.runtime.deliver(target, i === 0 ? msg : copies[i - 1]!, node));
        }
        done();
      },
    };
  },
});

function returnToCaller(registry: LinkRegistry, node: NodeApi, msg: Msg): void {
  const stack = msg._linkSource;
  if (!Array.isArray(stack) || stack.length === 0) {
    node.warn('Missing return node information');
    return;
  }
  const source = stack.pop() as LinkSourceEntry;
  const handler = source && typeof source.node === 'string' ? registry.caller(source.node) : undefined;
  if (!handler) {
    node.warn('Missing return node information');
    return;
  }
  handler(source.id, msg);
}
