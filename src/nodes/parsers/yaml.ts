/**
 * yaml: converts between a YAML string and its JavaScript object, with js-yaml 4 as Node-RED's
 * node does. Not the `yaml` package that reads redoubt.yaml: the text written here goes to
 * other systems, and `yaml` writes it differently (`yes` and `on` unquoted, which YAML 1.1
 * readers take as true; other quoting and folding), and reads `!!set`, `!!omap` and an empty
 * document into other values. Same library, same text, same values, same errors.
 */
import type jsYamlTypes from 'js-yaml';
import { lazyRequire } from '../../runtime/lazy-require.js';
import { RedoubtError } from '../../errors/index.js';
import { defineNode } from '../../runtime/definition/index.js';
import { string } from '../../runtime/definition/property-kinds.js';
import { compileMessagePath } from '../../runtime/properties/index.js';
import { passedOnWhenMissing } from '../pass-on-missing.js';
import { parseFailure } from './parse-failed.js';

/** Loaded at the first conversion: most installations never use a yaml or YAML-output template node. */
export const jsYaml = lazyRequire<typeof jsYamlTypes>('js-yaml');

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
            parsed = jsYaml().load(value);
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
            text = jsYaml().dump(value);
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
