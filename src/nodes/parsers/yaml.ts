/**
 * yaml: converts between a YAML string and its JavaScript object. Node-RED uses js-yaml; here
 * the `yaml` package, configured to read what js-yaml's default schema reads (YAML 1.2 core
 * plus timestamps, binary, omap, pairs, set and `<<` merge keys).
 */
import { parse, stringify } from 'yaml';
import { RedoubtError } from '../../errors/index.js';
import { defineNode } from '../../runtime/definition/index.js';
import { string } from '../../runtime/definition/property-kinds.js';
import { compileMessagePath } from '../../runtime/properties/index.js';
import { passedOnWhenMissing } from '../pass-on-missing.js';
import { parseFailure } from './parse-failed.js';

const PARSE_OPTIONS = { customTags: ['timestamp', 'binary', 'omap', 'pairs', 'set'], merge: true } as const;

export const yamlNode = defineNode({
  type: 'yaml',
  category: 'parser',
  inputs: 1,
  outputs: 1,
  properties: {
    property: string({ default: 'payload', label: 'Property' }),
  },
  editor: { color: '#DEBD5C', icon: 'parser-yaml.svg' },
  create(config, node) {
    const path = compileMessagePath(config.property || 'payload');
    return {
      onInput(msg, send, done) {
        const value = path.get(msg);
        if (passedOnWhenMissing(value, msg, send, done)) return;
        if (typeof value === 'string') {
          let parsed: unknown;
          try {
            parsed = parse(value, { ...PARSE_OPTIONS, customTags: [...PARSE_OPTIONS.customTags] });
          } catch (err) {
            done(parseFailure(err));
            return;
          }
          path.set(msg, parsed);
          send(msg);
          done();
          return;
        }
        if (typeof value === 'object' && !Buffer.isBuffer(value)) {
          let text: string;
          try {
            text = stringify(value);
          } catch (err) {
            done(new RedoubtError('yaml_convert_failed', 'Failed to convert payload', { cause: err }));
            return;
          }
          path.set(msg, text);
          send(msg);
          done();
          return;
        }
        if (Buffer.isBuffer(value)) node.warn('Ignored non-object payload');
        else node.warn('Ignored unsupported payload type');
        done();
      },
    };
  },
});
