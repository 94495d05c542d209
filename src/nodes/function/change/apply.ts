/**
 * Applies compiled change steps to a message, synchronously while every step is synchronous
 * (message targets and static values: the common case), through promises once a step needs
 * context or JSONata. Errors Node-RED reports reject/throw; errors Node-RED swallows (a missing
 * parent in a message path) skip the step, as Node-RED does.
 */
import { RedoubtError } from '../../../errors/index.js';
import { cloneMessage, evaluateJSONataExpression } from '../../../runtime/properties/index.js';
import type { Msg, PropertyHost } from '../../../runtime/types.js';
import type { ChangeStep, FromSource, ValueSource } from './compile.js';
import { escapeSearch } from './compile.js';
import { readContext, writeContext } from './targets.js';

/** Marks a step whose value could not be read; Node-RED skips such a step silently. */
const SKIP: unique symbol = Symbol('skip');

type Maybe<T> = T | Promise<T>;

const isPromise = (v: unknown): v is Promise<unknown> => typeof (v as Promise<unknown> | null)?.then === 'function';

export interface ApplyDeps {
  readonly node: PropertyHost & { warn(message: unknown): void };
}

function readValue(source: ValueSource, msg: Msg, node: PropertyHost): Maybe<unknown> {
  switch (source.kind) {
    case 'const': return source.value;
    case 'fresh': return source.make();
    case 'msg':
      try {
        return source.path.get(msg);
      } catch {
        return SKIP;
      }
    case 'context':
      // A context read that fails gives undefined, as in Node-RED.
      return readContext(node, source.target, msg).catch(() => undefined);
    case 'jsonata':
      return evaluateJSONataExpression(source.prepared, msg).catch((err: Error) => {
        throw new RedoubtError('invalid_jsonata', `Invalid JSONata expression: ${err.message}`, { cause: err });
      });
  }
}

interface SearchValue {
  type: string;
  value: unknown;
  re: RegExp | undefined;
}

function searchOf(value: unknown): SearchValue {
  if (typeof value === 'number' || value instanceof Number) return { type: 'num', value, re: undefined };
  if (typeof value === 'boolean') return { type: 'bool', value, re: undefined };
  if (value instanceof RegExp) return { type: 're', value, re: value };
  if (typeof value === 'string') return { type: 'str', value, re: new RegExp(escapeSearch(value), 'g') };
  throw new RedoubtError('invalid_from', `Invalid 'from' property: unsupported type: ${typeof value}`);
}

function readFrom(from: FromSource, msg: Msg, node: PropertyHost): Maybe<SearchValue | typeof SKIP> {
  if (from.kind === 'static') return { type: from.type, value: from.value, re: from.re };
  if (from.kind === 'msg') {
    let value: unknown;
    try {
      value = from.path.get(msg);
    } catch {
      return SKIP;
    }
    return searchOf(value);
  }
  return readContext(node, from.target, msg).then(searchOf);
}

/**
 * The new value of `current` after a change rule, or SKIP when the rule leaves it alone.
 * Node-RED's rules: a string equal to a num/bool/str search is replaced whole (taking the
 * replacement's type); other strings get a regex replace; numbers and booleans are replaced
 * only when they equal the search.
 */
function changedValue(current: unknown, search: SearchValue, to: unknown, opts: { tot: string; isMsg: boolean }): unknown {
  if (typeof current === 'string') {
    if ((search.type === 'num' || search.type === 'bool' || search.type === 'str') && current === search.value) return to;
    // An unset pattern (a num/bool search read from msg or context) is what Node-RED passes too.
    let next: unknown = current.replace(search.re as RegExp, to as string);
    // Node-RED turns a "true"/"false" result back into the boolean, for message targets only.
    if (opts.isMsg && opts.tot === 'bool' && next === '' + String(to)) next = to;
    return next;
  }
  if ((typeof current === 'number' || current instanceof Number) && search.type === 'num') {
    // Node-RED compares loosely: a search of "5" matches the number 5.
    return Number(current) === Number(search.value) ? to : SKIP;
  }
  if (typeof current === 'boolean' && search.type === 'bool') return current.toString() === search.value ? to : SKIP;
  return SKIP;
}

function writeMsg(step: ChangeStep & { target: { kind: 'msg' } }, msg: Msg, value: unknown, node: ApplyDeps['node']): void {
  try {
    if (!step.target.path.set(msg, value) && value !== undefined) {
      node.warn(`Cannot set property of non-object type: ${step.target.expression}`);
    }
  } catch {
    // Node-RED ignores a message path it cannot resolve (e.g. a missing `[msg.x]` reference).
  }
}

function finishStep(step: ChangeStep, msg: Msg, value: unknown, search: SearchValue | undefined, node: ApplyDeps['node']): Maybe<void> {
  const target = step.target;
  if (step.op === 'delete') {
    if (target.kind === 'msg') {
      try {
        target.path.delete(msg);
      } catch {
        // A missing parent means there is nothing to delete.
      }
      return;
    }
    return writeContext(node, target, msg, undefined);
  }
  if (step.op === 'set') {
    const v = step.deepClone ? cloneMessage(value) : value;
    if (target.kind === 'msg') return writeMsg(step as never, msg, v, node);
    return writeContext(node, target, msg, v);
  }
  if (target.kind === 'msg') {
    let current: unknown;
    try {
      current = target.path.get(msg);
    } catch {
      return;
    }
    const next = changedValue(current, search!, value, { tot: step.tot, isMsg: true });
    if (next !== SKIP) writeMsg(step as never, msg, next, node);
    return;
  }
  return changeContext(step, msg, value, search!, node);
}

/** A change rule on a context target (apart from finishStep, for the reason above applyLater). */
function changeContext(step: Extract<ChangeStep, { op: 'change' }>, msg: Msg, value: unknown, search: SearchValue, node: ApplyDeps['node']): Promise<void> {
  const target = step.target as Exclude<ChangeStep['target'], { kind: 'msg' }>;
  return readContext(node, target, msg).then((current) => {
    const next = changedValue(current, search, value, { tot: step.tot, isMsg: false });
    // Node-RED never completes a context change that matches nothing (the message is lost);
    // here the message goes on unchanged.
    if (next !== SKIP) return writeContext(node, target, msg, next);
    return undefined;
  });
}

function applyStep(step: ChangeStep, msg: Msg, node: ApplyDeps['node']): Maybe<void> {
  if (step.op === 'delete') return finishStep(step, msg, undefined, undefined, node);
  const value = readValue(step.value, msg, node);
  if (isPromise(value)) return applyLater(value, step, msg, node);
  return applyWithValue(step, msg, value, node);
}

// The continuations below are functions of their own: a closure written inline would make V8
// allocate a context on every call of the synchronous function holding it, promise or not.
function applyLater(value: Promise<unknown>, step: ChangeStep, msg: Msg, node: ApplyDeps['node']): Promise<void> {
  return value.then((v) => applyWithValue(step, msg, v, node));
}

function finishLater(search: Promise<SearchValue | typeof SKIP>, step: ChangeStep, msg: Msg, v: unknown, node: ApplyDeps['node']): Promise<void> {
  return search.then((s) => (s === SKIP ? undefined : finishStep(step, msg, v, s, node)));
}

function continueLater(pending: Promise<void>, steps: readonly ChangeStep[], msg: Msg, deps: ApplyDeps, next: number): Promise<void> {
  return pending.then(() => applyChangeSteps(steps, msg, deps, next));
}

function applyWithValue(step: ChangeStep, msg: Msg, v: unknown, node: ApplyDeps['node']): Maybe<void> {
  if (v === SKIP) return;
  if (step.op === 'set') return finishStep(step, msg, v, undefined, node);
  const search = readFrom((step as Extract<ChangeStep, { op: 'change' }>).from, msg, node);
  if (isPromise(search)) return finishLater(search, step, msg, v, node);
  return search === SKIP ? undefined : finishStep(step, msg, v, search, node);
}

/**
 * Runs `steps` on `msg` in order. Returns undefined when everything ran synchronously, else a
 * Promise. Throws (or rejects) with the error Node-RED would report for the message.
 */
export function applyChangeSteps(steps: readonly ChangeStep[], msg: Msg, deps: ApplyDeps, start = 0): Promise<void> | undefined {
  for (let i = start; i < steps.length; i++) {
    const r = applyStep(steps[i]!, msg, deps.node);
    if (isPromise(r)) return continueLater(r, steps, msg, deps, i + 1);
  }
  return undefined;
}
