/**
 * The trigger node: on a message, sends `op1` at once, waits `duration`, then sends `op2`,
 * unless reset (by `msg.reset` or a payload equal to `reset`) or extended by a new message. A
 * duration of 0 waits for a reset; a negative one resends `op1` at that interval. With `bytopic`
 * each value of the `topic` property is its own stream. Node-RED 4's properties and behaviour.
 */
import mustache from 'mustache';
import { boolean, defineNode, number, select, string, typed } from '../../runtime/definition/index.js';
import type { ValidationIssue } from '../../errors/index.js';
import type { FlowConfigNode, Msg } from '../../runtime/types.js';
import { compileMessagePath, compileTypedProperty } from '../../runtime/properties/index.js';
import { createTriggerRunner, type TriggerOptions } from './trigger/trigger-runner.js';

/**
 * `pay`: the original payload; `payl`: the latest message; `nul`: send nothing. `null` is the type
 * Node-RED's own reading of the old `val` gives a `null` value; Node-RED accepts it in saved flows
 * and sends the value as saved, unconverted.
 */
const OP_TYPES = ['str', 'num', 'bool', 'json', 'bin', 'date', 'env', 'flow', 'global', 'pay', 'payl', 'nul', 'null'] as const;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, hr: 3_600_000 };

/**
 * Node-RED 0.x saved `val` for "string, number or null"; Node-RED reads `true`/`false` as
 * booleans, `null` as a null payload and anything else as a string.
 */
export function migrateTriggerTypes(raw: FlowConfigNode): FlowConfigNode {
  const out: FlowConfigNode = { ...raw };
  for (const key of ['op1', 'op2'] as const) {
    const typeKey = `${key}type`;
    if (out[typeKey] !== 'val') continue;
    const value = out[key];
    if (value === 'true' || value === 'false') out[typeKey] = 'bool';
    else if (value === 'null') out[typeKey] = 'json';
    else out[typeKey] = 'str';
  }
  return out;
}

function checkValue(config: Record<string, unknown>, key: 'op1' | 'op2', nodeId: string): ValidationIssue | undefined {
  const type = String(config[`${key}type`]);
  if (!['num', 'json', 'bin'].includes(type)) return undefined;
  try {
    compileTypedProperty(config[key], type, undefined);
    return undefined;
  } catch (err) {
    return { code: 'invalid_property_value', nodeId, property: key, message: `'${key}' ${(err as Error).message}` };
  }
}

export const trigger = defineNode({
  type: 'trigger',
  category: 'function',
  inputs: 1,
  outputs: (config) => (Number(config.outputs) === 2 ? 2 : 1),
  properties: {
    name: string({ default: '' }),
    op1: typed({ default: '1', typeKey: 'op1type', types: OP_TYPES.filter((t) => t !== 'payl'), label: 'Send' }),
    op2: typed({ default: '0', typeKey: 'op2type', types: OP_TYPES, label: 'then send' }),
    op1type: select(OP_TYPES, { default: 'str' }),
    op2type: select(OP_TYPES, { default: 'str' }),
    duration: number({ default: 250, label: 'duration' }),
    extend: boolean({ default: false, label: 'extend delay if new message arrives' }),
    overrideDelay: boolean({ default: false, label: 'override delay with msg.delay' }),
    units: select(['ms', 's', 'min', 'hr'], { default: 'ms', lenient: true }),
    reset: string({ default: '', label: 'Reset the trigger if msg.payload equals' }),
    bytopic: select(['all', 'topic'], { default: 'all' }),
    topic: string({ default: 'topic', label: 'topic' }),
    outputs: number({ default: 1, min: 1, max: 2, integer: true }),
  },
  migrate: migrateTriggerTypes,
  validate(config) {
    const issues: ValidationIssue[] = [];
    for (const key of ['op1', 'op2'] as const) {
      const issue = checkValue(config, key, config.id);
      if (issue) issues.push(issue);
    }
    if (config.bytopic === 'topic') {
      try {
        compileMessagePath(config.topic || 'topic');
      } catch (err) {
        issues.push({ code: 'invalid_property_expression', nodeId: config.id, property: 'topic', message: `'topic' ${(err as Error).message}` });
      }
    }
    return issues;
  },
  create(config, node) {
    // Node-RED substitutes its defaults for empty values, so an empty string sends "1" / "0".
    let op1: string = config.op1 || '1';
    let op2: string = config.op2 || '0';
    if (config.op1type === 'date' && op1 === '1') op1 = '';
    if (config.op2type === 'date' && op2 === '0') op2 = '';
    let duration = Number(config.duration);
    const loop = duration < 0;
    if (loop) duration = -duration;
    duration *= UNIT_MS[config.units] ?? 1;
    const evaluator = (value: unknown, type: string) => {
      if (type === 'pay' || type === 'payl' || type === 'nul') return () => undefined;
      if (type === 'null') return () => value;
      // A string with {{ }} is a mustache template over the message, as in Node-RED.
      if (type === 'str' && String(value).includes('{{')) {
        const text = String(value);
        mustache.parse(text);
        return (msg: Msg) => mustache.render(text, msg);
      }
      return compileTypedProperty(value, type, node);
    };
    const options: TriggerOptions = {
      op1type: config.op1type,
      op2type: config.op2type,
      first: evaluator(op1, config.op1type),
      second: evaluator(op2, config.op2type),
      durationMs: duration,
      loop,
      extend: config.extend && !loop,
      overrideDelay: config.overrideDelay,
      reset: config.reset,
      topicPath: config.bytopic === 'topic' ? compileMessagePath(config.topic || 'topic') : undefined,
      secondOutput: Number(config.outputs) === 2,
    };
    return createTriggerRunner(options, node);
  },
  editor: { color: '#E6E0F8', icon: 'trigger.svg' },
});
