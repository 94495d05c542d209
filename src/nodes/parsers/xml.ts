/**
 * xml: converts between an XML string and its JavaScript object with xml2js, as Node-RED does.
 * `msg.options` passes xml2js options through (parser options one way, builder options the other).
 */
import type xml2jsTypes from 'xml2js';
import { lazyRequire } from '../../runtime/lazy-require.js';

const xml2js = lazyRequire<typeof xml2jsTypes>('xml2js');
import { defineNode } from '../../runtime/definition/index.js';
import { string } from '../../runtime/definition/property-kinds.js';
import { compileMessagePath } from '../../runtime/properties/index.js';
import { passedOnWhenMissing } from '../pass-on-missing.js';

export const xmlNode = defineNode({
  type: 'xml',
  category: 'parser',
  inputs: 1,
  outputs: 1,
  properties: {
    property: string({ default: 'payload', label: 'Property' }),
    // Keys for attributes and text content when parsing; empty means xml2js's `$` and `_`.
    attr: string({ default: '', label: 'Attribute key' }),
    chr: string({ default: '', label: 'Character key' }),
  },
  editor: { color: '#DEBD5C', icon: 'parser-xml.svg' },
  create(config, node) {
    const path = compileMessagePath(config.property || 'payload');
    return {
      onInput(msg, send, done) {
        const value = path.get(msg);
        if (passedOnWhenMissing(value, msg, send, done)) return;
        const given = msg.options !== null && typeof msg.options === 'object' ? (msg.options as Record<string, unknown>) : undefined;
        if (typeof value === 'object') {
          try {
            // Without msg.options Node-RED builds compact XML; with them, xml2js's defaults apply.
            const options = given ? { ...given, async: false } : { renderOpts: { pretty: false }, async: false };
            const builder = new (xml2js().Builder)(options as xml2jsTypes.BuilderOptions);
            path.set(msg, builder.buildObject(value));
          } catch (err) {
            done(err);
            return;
          }
          send(msg);
          done();
          return;
        }
        if (typeof value === 'string') {
          const options: Record<string, unknown> = { ...(given ?? {}), async: true };
          options.attrkey = config.attr || options.attrkey || '$';
          options.charkey = config.chr || options.charkey || '_';
          xml2js().parseString(value, options as xml2jsTypes.ParserOptions, (err: Error | null, result: unknown) => {
            if (err) {
              done(err);
              return;
            }
            path.set(msg, result);
            send(msg);
            done();
          });
          return;
        }
        node.warn('This node only handles xml strings or js objects.');
        done();
      },
    };
  },
});
