/**
 * json: converts between a JSON string and its object, either way or forced one way, and
 * validates against `msg.schema` (JSON Schema, drafts 06/07 through ajv) as Node-RED 4 does.
 */
import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import { lazyRequire } from '../../runtime/lazy-require.js';

const ajvModule = lazyRequire<typeof import('ajv')>('ajv');
import { RedoubtError } from '../../errors/index.js';
import { defineNode } from '../../runtime/definition/index.js';
import { boolean, select, string } from '../../runtime/definition/property-kinds.js';
import { compileMessagePath } from '../../runtime/properties/index.js';
import { passedOnWhenMissing } from '../pass-on-missing.js';
import { parseFailure } from './parse-failed.js';

const require = createRequire(import.meta.url);

function schemaError(validate: ValidateFunction, ajv: Ajv): RedoubtError {
  return new RedoubtError('json_schema_error', `JSON Schema error: ${ajv.errorsText(validate.errors)}`);
}

export const jsonNode = defineNode({
  type: 'json',
  category: 'parser',
  inputs: 1,
  outputs: 1,
  properties: {
    property: string({ default: 'payload', label: 'Property' }),
    // '' converts either way; 'str' always to a string; 'obj' always to an object.
    action: select(['', 'str', 'obj'] as const, { default: '', label: 'Action' }),
    pretty: boolean({ default: false, label: 'Format JSON string' }),
  },
  editor: { color: '#DEBD5C', icon: 'parser-json.svg' },
  create(config, node) {
    const path = compileMessagePath(config.property || 'payload');
    const indent = config.pretty ? 4 : 0;
    const action = config.action;
    // One validator per node (Node-RED shares one per process): compiled schemas stay with the node.
    // Built at the first msg.schema only: most json nodes never validate.
    let ajvInstance: Ajv | undefined;
    const validator = (): Ajv => {
      if (!ajvInstance) {
        ajvInstance = new (ajvModule().Ajv)({ allErrors: true });
        ajvInstance.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
      }
      return ajvInstance;
    };
    let lastSchema: string | undefined;
    let compiled: ValidateFunction | undefined;

    return {
      onInput(msg, send, done) {
        let validate: ValidateFunction | undefined;
        if (msg.schema) {
          const key = JSON.stringify(msg.schema);
          if (key !== lastSchema || !compiled) {
            try {
              compiled = validator().compile(msg.schema as object);
              lastSchema = key;
            } catch (err) {
              compiled = undefined;
              lastSchema = undefined;
              done(new RedoubtError('json_schema_compile', 'JSON Schema error: failed to compile schema', { cause: err }));
              return;
            }
          }
          validate = compiled;
        }
        // Passes when valid (dropping msg.schema); otherwise sets msg.schemaError and fails the message.
        const check = (value: unknown): boolean => {
          if (!validate) return true;
          if (validate(value)) {
            delete msg.schema;
            return true;
          }
          msg.schemaError = validate.errors;
          done(schemaError(validate, validator()));
          return false;
        };
        const value = path.get(msg);
        if (passedOnWhenMissing(value, msg, send, done)) return;
        if (typeof value === 'string' || Buffer.isBuffer(value)) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(value.toString());
          } catch (err) {
            // 'str' with a string and no schema leaves it untouched, valid JSON or not.
            if (action === 'str' && !validate) {
              send(msg);
              done();
            } else done(parseFailure(err));
            return;
          }
          if (action === '' || action === 'obj') path.set(msg, parsed);
          if (check(parsed)) {
            send(msg);
            done();
          }
          return;
        }
        if (typeof value === 'object' || typeof value === 'boolean' || typeof value === 'number') {
          if (action === 'obj') {
            if (check(value)) {
              send(msg);
              done();
            }
            return;
          }
          if (!check(value)) return;
          let text: string;
          try {
            text = JSON.stringify(value, null, indent);
          } catch (err) {
            done(new RedoubtError('json_convert_failed', 'Failed to convert payload', { cause: err }));
            return;
          }
          path.set(msg, text);
          send(msg);
          done();
          return;
        }
        node.warn('Ignored unsupported payload type');
        done();
      },
    };
  },
});
