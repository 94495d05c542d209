/**
 * join: a sequence of messages into one. `auto` reverses a split using `msg.parts`; `custom`
 * (manual) builds a string, buffer, array, key/value object or merged object from a count, a
 * timeout or `msg.complete`; `reduce` folds a sequence with a JSONata expression.
 */
import { ValidationError, type ValidationIssue } from '../../errors/index.js';
import { boolean, code, defineNode, number, select, string, typed, type BaseConfig } from '../../runtime/definition/index.js';
import { compileMessagePath, prepareJSONataExpression } from '../../runtime/properties/index.js';
import type { FlowConfigNode } from '../../runtime/types.js';
import { parseByteArray, unescapeSeparator } from './escapes.js';
import { createReducer } from './join-reduce.js';
import { createJoiner } from './joiner.js';

const properties = {
  name: string(),
  // Node-RED's editor also knows 'merge'; its runtime treats any mode but auto and reduce as manual.
  mode: select(['auto', 'custom', 'reduce'] as const, { default: 'auto', lenient: true }),
  build: select(['string', 'array', 'buffer', 'object', 'merged'] as const, { default: 'object', showWhen: { mode: ['custom'] } }),
  property: typed({ default: 'payload', typeKey: 'propertyType', types: ['msg', 'full'], label: 'Combine each' }),
  propertyType: select(['msg', 'full'] as const, { default: 'msg' }),
  key: string({ default: 'topic', label: 'using the value of' }),
  joiner: string({ default: '\\n', label: 'joined using' }),
  joinerType: select(['str', 'bin'] as const, { default: 'str' }),
  useparts: boolean({ label: 'Use existing msg.parts property' }),
  accumulate: boolean({ label: 'and every subsequent message' }),
  timeout: number({ min: 0, label: 'After a timeout following the first message (seconds)' }),
  // Kept as text: an empty count means "take it from msg.parts", which 0 does not.
  count: string({ label: 'After a number of message parts' }),
  reduceRight: boolean({ label: 'Evaluate in reverse order (last to first)', showWhen: { mode: ['reduce'] } }),
  reduceExp: code({ language: 'jsonata', label: 'Reduce exp', showWhen: { mode: ['reduce'] } }),
  reduceInit: typed({
    typeKey: 'reduceInitType',
    types: ['flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 'date', 'jsonata', 'env'],
    label: 'Initial value',
    showWhen: { mode: ['reduce'] },
  }),
  reduceInitType: string({ showWhen: { mode: ['reduce'] } }),
  reduceFixup: code({ language: 'jsonata', label: 'Fix-up exp', showWhen: { mode: ['reduce'] } }),
};

type JoinConfig = { [K in keyof typeof properties]: (typeof properties)[K]['default'] } & BaseConfig;

/** Node-RED's runtime fills absent `build` and `useparts` differently from its editor defaults. */
function migrateJoin(raw: FlowConfigNode): FlowConfigNode {
  if (raw.build !== undefined && raw.useparts !== undefined) return raw;
  return { ...raw, build: raw.build ?? 'array', useparts: raw.useparts ?? true };
}

function readJoiner(config: JoinConfig): { joiner: string | Buffer } | { error: string } {
  if (config.joinerType === 'bin') {
    const parsed = parseByteArray(config.joiner || '[]');
    return 'error' in parsed ? parsed : { joiner: Buffer.from(parsed.bytes) };
  }
  return { joiner: unescapeSeparator(config.joiner) };
}

function issue(config: JoinConfig, property: string, message: string): ValidationIssue {
  return { code: 'invalid_property', nodeId: config.id, property, message: `'${property}' ${message}` };
}

function compiles(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function checkJoinConfig(config: JoinConfig): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const joiner = readJoiner(config);
  if ('error' in joiner) issues.push(issue(config, 'joiner', joiner.error));
  if (config.count.trim() !== '' && Number.isNaN(Number(config.count))) {
    issues.push(issue(config, 'count', `must be a number, got '${config.count}'`));
  }
  if (config.propertyType === 'msg') {
    const problem = compiles(() => compileMessagePath(config.property || 'payload'));
    if (problem) issues.push(issue(config, 'property', problem));
  }
  if (config.mode === 'custom' && config.build === 'object') {
    const problem = compiles(() => compileMessagePath(config.key || 'topic'));
    if (problem) issues.push(issue(config, 'key', problem));
  }
  if (config.mode === 'reduce') {
    const problem = compiles(() => prepareJSONataExpression(config.reduceExp, undefined));
    if (problem) issues.push(issue(config, 'reduceExp', problem));
    if (config.reduceFixup !== '') {
      const fixProblem = compiles(() => prepareJSONataExpression(config.reduceFixup, undefined));
      if (fixProblem) issues.push(issue(config, 'reduceFixup', fixProblem));
    }
  }
  return issues;
}

export const join = defineNode({
  type: 'join',
  category: 'sequence',
  inputs: 1,
  outputs: 1,
  properties,
  migrate: migrateJoin,
  validate: (config) => checkJoinConfig(config),
  create(config, node) {
    // Deploy refused these already, unless a ${ENV} value filled in at start made them bad.
    const issues = checkJoinConfig(config);
    if (issues.length > 0) throw new ValidationError(`join node '${config.id}' has invalid properties`, issues);
    if (config.mode === 'reduce') {
      return createReducer(
        {
          reduce: prepareJSONataExpression(config.reduceExp, node),
          fixup: config.reduceFixup === '' ? undefined : prepareJSONataExpression(config.reduceFixup, node),
          right: config.reduceRight,
          initValue: config.reduceInit,
          initType: config.reduceInitType,
        },
        node,
      );
    }
    const joiner = readJoiner(config);
    const isFull = config.propertyType === 'full';
    const propertyName = isFull ? 'payload' : config.property || 'payload';
    const mode = config.mode === 'auto' ? 'auto' : 'custom';
    const keyName = config.key || 'topic';
    return createJoiner(
      {
        mode,
        build: config.build,
        property: isFull ? undefined : compileMessagePath(propertyName),
        propertyName,
        key: config.build === 'object' && mode === 'custom' ? compileMessagePath(keyName) : undefined,
        keyName,
        joiner: 'error' in joiner ? '' : joiner.joiner,
        count: Number(config.count) || 0,
        countFromParts: config.count === '',
        // Automatic mode has no timeout in Node-RED, whatever was saved.
        timeoutMs: mode === 'auto' ? 0 : config.timeout * 1000,
        accumulate: config.accumulate,
        useParts: config.useparts,
      },
      node,
    );
  },
  editor: { color: '#E2D96E', icon: 'join.svg' },
});
