/**
 * range: maps a number from an input range to a target range (scale, clamp, roll or drop), as
 * Node-RED's 16-range. A missing property passes the message on untouched; a value that is not
 * a number is logged ("Not a number: <value>") and the message is dropped, as Node-RED does.
 */
import type { ValidationIssue } from '../../errors/index.js';
import { defineNode } from '../../runtime/definition/index.js';
import { boolean, number, select, string } from '../../runtime/definition/property-kinds.js';
import { compileMessagePath } from '../../runtime/properties/index.js';
import { passedOnWhenMissing } from '../pass-on-missing.js';

/** The mapping applied to one value; undefined means "drop the message". */
export interface RangeMapping {
  /** scale, clamp, roll or drop; anything else scales, as in Node-RED. */
  readonly action: string;
  readonly round: boolean;
  readonly minin: number;
  readonly maxin: number;
  readonly minout: number;
  readonly maxout: number;
}

/**
 * Normalises the configured ranges as Node-RED's constructor does: an inverted input range
 * swaps both ranges, and rounding narrows the target range to whole numbers inside it.
 */
export function normaliseRange(m: RangeMapping): RangeMapping {
  let { minin, maxin, minout, maxout } = m;
  if (minin > maxin) {
    [minin, maxin] = [maxin, minin];
    [minout, maxout] = [maxout, minout];
  }
  if (m.round) {
    maxout = Math.floor(maxout);
    minout = Math.ceil(minout);
  }
  return { ...m, minin, maxin, minout, maxout };
}

/** Maps `n` with a normalised mapping; undefined when the drop action rejects it. */
export function mapRange(m: RangeMapping, n: number): number | undefined {
  if (m.action === 'drop' && (n < m.minin || n > m.maxin)) return undefined;
  if (m.action === 'clamp') {
    if (n < m.minin) n = m.minin;
    if (n > m.maxin) n = m.maxin;
  }
  if (m.action === 'roll') {
    const divisor = m.maxin - m.minin;
    n = (((n - m.minin) % divisor) + divisor) % divisor + m.minin;
  }
  const value = ((n - m.minin) / (m.maxin - m.minin)) * (m.maxout - m.minout) + m.minout;
  return m.round ? Math.round(value) : value;
}

function pathIssues(nodeId: string, property: string): ValidationIssue[] {
  try {
    compileMessagePath(property || 'payload');
    return [];
  } catch (err) {
    return [{ code: 'invalid_property_expression', nodeId, property: 'property', message: (err as Error).message }];
  }
}

export const range = defineNode({
  type: 'range',
  category: 'function',
  inputs: 1,
  outputs: 1,
  properties: {
    name: string({ default: '' }),
    minin: number({ default: 0, label: 'input from' }),
    maxin: number({ default: 0, label: 'input to' }),
    minout: number({ default: 0, label: 'target from' }),
    maxout: number({ default: 0, label: 'target to' }),
    action: select(['scale', 'clamp', 'roll', 'drop'] as const, { default: 'scale', label: 'Action', lenient: true }),
    round: boolean({ default: false, label: 'Round result to the nearest integer?' }),
    property: string({ default: 'payload', label: 'Property' }),
  },
  editor: { color: '#E2D96E', icon: 'range.svg' },
  validate: (config) => pathIssues(config.id, config.property),
  create(config, node) {
    const path = compileMessagePath(config.property || 'payload');
    const mapping = normaliseRange(config);
    return {
      onInput(msg, send, done) {
        let value: unknown;
        try {
          value = path.get(msg);
        } catch (err) {
          done(err);
          return;
        }
        if (passedOnWhenMissing(value, msg, send, done)) return;
        const n = Number(value);
        if (Number.isNaN(n)) {
          node.log(`Not a number: ${String(value)}`);
          done();
          return;
        }
        const mapped = mapRange(mapping, n);
        if (mapped !== undefined) {
          path.set(msg, mapped);
          send(msg);
        }
        done();
      },
    };
  },
});
