/**
 * split: one message into a sequence. Strings and buffers split on a string, a byte sequence or
 * a fixed length (optionally as a stream, carrying the remainder to the next message), arrays
 * into elements or chunks, objects into one message per key. `msg.parts` records how, so the
 * join node can reverse it.
 */
import { ValidationError, type ValidationIssue } from '../../errors/index.js';
import { boolean, defineNode, select, string, type BaseConfig } from '../../runtime/definition/index.js';
import { compileMessagePath } from '../../runtime/properties/index.js';
import { parseByteArray, unescapeSeparator } from './escapes.js';
import { createSplitter, type Separator } from './splitter.js';

const properties = {
  name: string(),
  splt: string({ default: '\\n', label: 'Split using' }),
  spltType: select(['str', 'bin', 'len'] as const, { default: 'str' }),
  // Saved as a number or a string; Node-RED reads it with parseInt, so it is kept as text here.
  arraySplt: string({ default: '1', label: 'Array chunk length' }),
  arraySpltType: select(['len'] as const, { default: 'len', lenient: true }),
  stream: boolean({ label: 'Handle as a stream of messages' }),
  addname: string({ label: 'Copy key to' }),
  property: string({ default: 'payload', label: 'Split property' }),
};

type SplitConfig = { [K in keyof typeof properties]: (typeof properties)[K]['default'] } & BaseConfig;

function readSeparator(config: SplitConfig): { separator: Separator } | { error: string } {
  if (config.spltType === 'bin') {
    const parsed = parseByteArray(config.splt);
    if ('error' in parsed) return { error: parsed.error };
    if (parsed.bytes.length === 0) return { error: 'must hold at least one byte' };
    return { separator: { kind: 'bin', bytes: parsed.bytes, buffer: Buffer.from(parsed.bytes) } };
  }
  if (config.spltType === 'len') {
    const length = parseInt(config.splt, 10);
    if (Number.isNaN(length) || length < 1) return { error: `must be a length of at least 1, got '${config.splt}'` };
    return { separator: { kind: 'len', length } };
  }
  return { separator: { kind: 'str', text: unescapeSeparator(config.splt || '\\n') } };
}

function readArrayChunk(config: SplitConfig): number | undefined {
  // An absent value means 1, as in Node-RED; the string kind reads absent as ''.
  if (config.arraySplt === '') return 1;
  const chunk = parseInt(config.arraySplt, 10);
  return Number.isNaN(chunk) || chunk < 1 ? undefined : chunk;
}

function pathIssue(config: SplitConfig, key: 'property' | 'addname', value: string): ValidationIssue[] {
  try {
    compileMessagePath(value);
    return [];
  } catch (err) {
    return [{ code: 'invalid_property', nodeId: config.id, property: key, message: `'${key}' ${(err as Error).message}` }];
  }
}

function checkSplitConfig(config: SplitConfig): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const sep = readSeparator(config);
  if ('error' in sep) {
    issues.push({ code: 'invalid_property', nodeId: config.id, property: 'splt', message: `'splt' ${sep.error}` });
  }
  if (readArrayChunk(config) === undefined) {
    issues.push({
      code: 'invalid_property',
      nodeId: config.id,
      property: 'arraySplt',
      message: `'arraySplt' must be a length of at least 1, got '${config.arraySplt}'`,
    });
  }
  issues.push(...pathIssue(config, 'property', config.property || 'payload'));
  if (config.addname !== '') issues.push(...pathIssue(config, 'addname', config.addname));
  return issues;
}

export const split = defineNode({
  type: 'split',
  category: 'sequence',
  inputs: 1,
  outputs: 1,
  properties,
  validate: (config) => checkSplitConfig(config),
  create(config) {
    // Deploy refused these already, unless a ${ENV} value filled in at start made them bad.
    const issues = checkSplitConfig(config);
    if (issues.length > 0) throw new ValidationError(`split node '${config.id}' has invalid properties`, issues);
    const sep = readSeparator(config);
    const arrayChunk = readArrayChunk(config);
    if ('error' in sep || arrayChunk === undefined) return;
    const propertyName = config.property || 'payload';
    const onInput = createSplitter({
      property: compileMessagePath(propertyName),
      propertyName,
      separator: sep.separator,
      arrayChunk,
      stream: config.stream,
      keyTarget: config.addname === '' ? undefined : compileMessagePath(config.addname),
    });
    return { onInput };
  },
  editor: { color: '#E2D96E', icon: 'split.svg' },
});
