/**
 * `link in`: the receiving end of virtual wires. Link outs (in `link` mode) and link calls
 * deliver to it through the runtime's run queue; it passes each message on.
 */
import { defineNode, string } from '../../runtime/definition/index.js';
import { linkRegistry, linksProperty, readLinks } from './link-registry.js';

export const linkInNode = defineNode({
  type: 'link in',
  category: 'common',
  inputs: 0,
  outputs: 1,
  properties: {
    name: string({ default: '' }),
    links: linksProperty(),
  },
  editor: { color: '#ddd', icon: 'link-out.svg', paletteLabel: 'link in' },
  create(config, node) {
    const registry = linkRegistry(node.runtime);
    registry.addLinkIn({ node, links: readLinks(config.links) });
    return {
      onInput(msg, send, done) {
        send(msg);
        done();
      },
      onClose() {
        registry.removeLinkIn(node);
      },
    };
  },
});
