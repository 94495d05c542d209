/**
 * html: picks elements out of an HTML document with a CSS selector (cheerio) and returns their
 * inner HTML, text, attributes, or attributes plus inner HTML, in one array or one message each.
 */
import type { CheerioAPI } from 'cheerio';
import { lazyRequire } from '../../runtime/lazy-require.js';

const cheerio = lazyRequire<typeof import('cheerio')>('cheerio');
import { defineNode } from '../../runtime/definition/index.js';
import { select, string } from '../../runtime/definition/property-kinds.js';
import { cloneMessage, compileMessagePath } from '../../runtime/properties/index.js';
import type { Msg } from '../../runtime/types.js';
import { passedOnWhenMissing } from '../pass-on-missing.js';
import { parseFailure } from './parse-failed.js';

type Extract = 'html' | 'text' | 'attr' | 'compl';

interface ElementLike {
  attribs?: Record<string, string>;
}

/** A node of cheerio's document tree, as far as the text of an element needs it. */
interface TreeNode {
  type: string;
  name?: string;
  data?: string;
  children?: TreeNode[];
}

/**
 * An element's text as Node-RED 4 gives it: its cheerio (1.0.0-rc.10) leaves out the content of
 * `script` and `style` elements and of comments, where cheerio 1.x's `text()` keeps script and
 * style. Scraping a page's text must not bring its scripts along, so this walks the tree itself.
 */
function nodeRedText(node: TreeNode): string {
  if (node.type === 'text') return node.data ?? '';
  if (node.type === 'comment' || node.name === 'script' || node.name === 'style' || !node.children) return '';
  let out = '';
  for (const child of node.children) out += nodeRedText(child);
  return out;
}

/** Node-RED's cheerio writes character references in upper-case hex (`&#xE9;`), cheerio 1.x in lower case. */
const upperHexReferences = (xml: string): string => xml.replace(/&#x([0-9a-f]+);/g, (_m, hex: string) => `&#x${hex.toUpperCase()};`);

function extract($: CheerioAPI, el: ElementLike, ret: Extract, chr: string): unknown {
  const wrapped = $(el as never);
  switch (ret) {
    case 'html':
      // Re-serialised as a fragment in XML mode, as Node-RED does (self-closing tags, escaped text).
      return upperHexReferences(cheerio().load((wrapped.html() ?? '').trim(), null, false).xml());
    case 'text':
      return nodeRedText(el as TreeNode);
    case 'attr':
      return { ...(el.attribs ?? {}) };
    case 'compl':
      return { [chr]: (wrapped.html() ?? '').trim(), ...(el.attribs ?? {}) };
  }
}

export const htmlNode = defineNode({
  type: 'html',
  category: 'parser',
  inputs: 1,
  outputs: 1,
  properties: {
    property: string({ default: 'payload', label: 'Property' }),
    outproperty: string({ default: 'payload', label: 'Output property' }),
    tag: string({ default: '', label: 'Selector' }),
    ret: select(['html', 'text', 'attr', 'compl'] as const, { default: 'html', label: 'Output' }),
    as: select(['single', 'multi'] as const, { default: 'single', label: 'As' }),
    // Key of the inner HTML in 'compl' output.
    chr: string({ default: '_', label: 'Content key' }),
  },
  editor: { color: '#DEBD5C', icon: 'parser-html.svg' },
  create(config, node) {
    const input = compileMessagePath(config.property || 'payload');
    const output = compileMessagePath(config.outproperty || config.property || 'payload');
    const ret = config.ret as Extract;
    const chr = config.chr || '_';
    return {
      onInput(msg, send, done) {
        const value = input.get(msg);
        if (passedOnWhenMissing(value, msg, send, done)) return;
        // A configured selector wins over msg.select.
        const selector = config.tag || (Object.hasOwn(msg, 'select') ? msg.select : undefined);
        try {
          const $ = cheerio().load(value as string | Buffer);
          const elements = selector === undefined || selector === '' ? [] : $(selector as string).toArray();
          if (config.as === 'multi') {
            const outgoing: Msg[] = [];
            elements.forEach((el, index) => {
              const part = extract($, el as ElementLike, ret, chr);
              // Node-RED sends nothing for an empty result but still counts the element.
              if (!part) return;
              const m = cloneMessage(msg);
              output.set(m, part);
              m.parts = { id: msg._msgid, index, count: elements.length, type: 'string', ch: '' };
              outgoing.push(m);
            });
            for (const m of outgoing) send(m);
          } else {
            output.set(msg, elements.map((el) => extract($, el as ElementLike, ret, chr)));
            send(msg);
          }
          done();
        } catch (err) {
          done(parseFailure(err));
        }
      },
    };
  },
});
