/**
 * The filter node (type `rbe`, "report by exception"): passes a message only when its value
 * changed (rbe, rbei), changed by more than a gap (deadband), or stayed within a gap
 * (narrowband), per topic or for all. Node-RED 4's properties and behaviour.
 */
import { boolean, defineNode, select, string } from '../../runtime/definition/index.js';
import type { ValidationIssue } from '../../errors/index.js';
import { cloneValueDeep, compileMessagePath } from '../../runtime/properties/index.js';
import type { Msg } from '../../runtime/types.js';

const MODES = ['rbe', 'rbei', 'deadband', 'deadbandEq', 'narrowband', 'narrowbandEq'] as const;
const BANDS = ['deadband', 'deadbandEq', 'narrowband', 'narrowbandEq'];
const NARROW = ['narrowband', 'narrowbandEq'];
/** What Node-RED's editor accepts as a gap: a non-negative number, optionally a percentage. */
const GAP = /^(\d*[.]*\d*|)(%|)$/;
const NO_TOPIC = '_no_topic';

/** Node-RED's `compareObjects`: deep equality over arrays, Buffers and plain objects. */
export function isSameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => isSameValue(item, b[i]));
  }
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  const keysA = Object.keys(a as object);
  if (keysA.length !== Object.keys(b as object).length) return false;
  return keysA.every((key) => isSameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function safeGet(get: (msg: Msg) => unknown, msg: Msg): unknown {
  try {
    return get(msg);
  } catch {
    // A missing parent reads as no value, as Node-RED's filter treats it.
    return undefined;
  }
}

export const rbe = defineNode({
  type: 'rbe',
  category: 'function',
  inputs: 1,
  outputs: 1,
  properties: {
    name: string({ default: '' }),
    func: select(MODES, { default: 'rbe', label: 'Mode' }),
    gap: string({ default: '', label: 'value change', pattern: GAP, showWhen: { func: BANDS } }),
    start: string({ default: '', label: 'Start value', showWhen: { func: NARROW } }),
    inout: select(['out', 'in'], { default: 'out', showWhen: { func: BANDS } }),
    septopics: boolean({ default: true, label: 'Apply mode separately for each topic' }),
    property: string({ default: 'payload', label: 'property' }),
    topi: string({ default: 'topic', label: 'topic' }),
  },
  validate(config) {
    const issues: ValidationIssue[] = [];
    for (const key of ['property', 'topi'] as const) {
      try {
        compileMessagePath(config[key] || (key === 'property' ? 'payload' : 'topic'));
      } catch (err) {
        issues.push({ code: 'invalid_property_expression', nodeId: config.id, property: key, message: `'${key}' ${(err as Error).message}` });
      }
    }
    if (NARROW.includes(config.func) && config.start !== '' && Number.isNaN(Number(config.start))) {
      issues.push({ code: 'not_a_number', nodeId: config.id, property: 'start', message: `'start' must be a number or empty, got '${config.start}'` });
    }
    return issues;
  },
  create(config, node) {
    const mode = config.func;
    const property = compileMessagePath(config.property || 'payload');
    const topicPath = compileMessagePath(config.topi || 'topic');
    const gapText = String(config.gap || '0');
    const isPercent = gapText.endsWith('%');
    const gapValue = parseFloat(gapText);
    const start = config.start === '' ? undefined : Number(config.start);
    const compareToInput = config.inout === 'in';
    let previous = new Map<string, unknown>();

    const passesChange = (key: string, value: unknown): boolean => {
      const known = previous.has(key);
      if (typeof value === 'object') {
        // Node-RED compares an object with {} when nothing object-like is stored yet, so a first
        // empty object does not pass.
        let before = previous.get(key);
        if (typeof before !== 'object') {
          before = {};
          previous.set(key, before);
        }
        if (isSameValue(value, before)) return false;
      } else if (value === previous.get(key)) {
        return false;
      }
      previous.set(key, cloneValueDeep(value));
      // rbei: the first value is remembered, not sent.
      return mode !== 'rbei' || known;
    };

    const passesBand = (key: string, n: number): boolean => {
      let before = previous.get(key) as number | undefined;
      if (before === undefined && NARROW.includes(mode)) before = start ?? n;
      const gap = isPercent ? Math.abs(((before ?? 0) * gapValue) / 100) || 0 : gapValue;
      // With no earlier value a deadband always passes: start just outside the gap.
      if (before === undefined) before = n - gap - 1;
      const diff = Math.abs(n - before);
      let pass = false;
      if (diff === gap) pass = mode === 'deadbandEq' || mode === 'narrowband';
      else if (diff > gap) pass = mode === 'deadband' || mode === 'deadbandEq';
      else pass = mode === 'narrowband' || mode === 'narrowbandEq';
      previous.set(key, compareToInput || pass ? n : before);
      return pass;
    };

    return {
      onInput(msg, send, done) {
        const topic = safeGet((m) => topicPath.get(m), msg);
        const perTopic = config.septopics;
        if (Object.prototype.hasOwnProperty.call(msg, 'reset')) {
          // Node-RED clears by `msg.topic` whatever `topi` says; the key here is the one the
          // value was stored under, so a reset with a custom topic property works.
          if (perTopic && typeof topic === 'string' && topic !== '') previous.delete(topic);
          else previous = new Map();
        }
        const value = safeGet((m) => property.get(m), msg);
        if (value === undefined) {
          done();
          return;
        }
        const key = perTopic && topic ? String(topic) : NO_TOPIC;
        if (mode === 'rbe' || mode === 'rbei') {
          if (passesChange(key, value)) send(msg);
          done();
          return;
        }
        const n = parseFloat(String(value));
        if (Number.isNaN(n)) {
          node.warn('no number found in payload');
        } else if (passesBand(key, n)) {
          send(msg);
        }
        done();
      },
    };
  },
  editor: { color: '#E2D96E', icon: 'rbe.png', paletteLabel: 'filter' },
});
