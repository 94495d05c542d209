/**
 * switch: routes each message to the outputs whose rule matches a property (of the message,
 * flow or global context, env, or a JSONata result), as Node-RED's 10-switch. Rules are
 * compiled at deploy. Messages are handled one at a time and in order, as Node-RED does;
 * when every rule and the property are synchronous a message is routed without any await.
 */
import type { ValidationIssue } from '../../errors/index.js';
import type { DoneFn, NodeApi, NodeHandlers, SendFn } from '../../runtime/definition/index.js';
import { defineNode } from '../../runtime/definition/index.js';
import { boolean, json, number, select, string, typed } from '../../runtime/definition/property-kinds.js';
import { compileTypedProperty, evaluateJSONataExpression, prepareJSONataExpression } from '../../runtime/properties/index.js';
import type { FlowConfigNode, Msg, PropertyHost } from '../../runtime/types.js';
import { compileSwitchRules, jsonataError, type CompiledRule, type SequenceParts, type SwitchRule, type SwitchState } from './switch/rules.js';
import { createSequenceBuffers, type Onward } from './switch/sequence.js';

export type { SwitchRule } from './switch/rules.js';

type Maybe<T> = T | Promise<T>;
const isPromise = (v: unknown): v is Promise<unknown> => typeof (v as Promise<unknown> | null)?.then === 'function';

/** The configured property, read per message. Errors other than JSONata ones read as undefined. */
type PropertyReader = (msg: Msg) => Maybe<unknown>;

function compileProperty(value: string, type: string, host: PropertyHost | undefined): PropertyReader {
  if (type === 'jsonata') {
    const prepared = prepareJSONataExpression(value, host);
    return (msg) => evaluateJSONataExpression(prepared, msg).catch((err: unknown) => Promise.reject(jsonataError(err)));
  }
  const compiled = compileTypedProperty(value, type, host);
  if (compiled.isAsync) return (msg) => compiled(msg).catch(() => undefined);
  return (msg) => {
    try {
      return compiled(msg);
    } catch {
      return undefined;
    }
  };
}

function propertyIssues(config: { id: string; property: string; propertyType: string }): ValidationIssue[] {
  if (config.propertyType !== 'jsonata' && config.propertyType !== 'msg') return [];
  try {
    compileProperty(config.property, config.propertyType, undefined);
    return [];
  } catch (err) {
    const e = err as Error & { code?: string };
    return [{ code: e.code ?? 'invalid_property', nodeId: config.id, property: 'property', message: e.message }];
  }
}

/** Node-RED reads `checkall` as `n.checkall || "true"`: a boolean false (hand-written flows) checks all rules. */
function migrateSwitch(raw: FlowConfigNode): FlowConfigNode {
  return raw.checkall === false ? { ...raw, checkall: 'true' } : raw;
}

/**
 * Rules compiled at deploy validation that hold nothing of a node, by the typed config the engine
 * then hands to `create` (the same object): creation uses them instead of compiling again.
 */
const checkedRules = new WeakMap<object, CompiledRule[]>();

const checkRules = (v: unknown): string | undefined => (Array.isArray(v) ? undefined : 'must be a list of rules');

interface RunState {
  elseflag: boolean;
  onward: Onward;
  hasParts: boolean;
}

export const switchNode = defineNode({
  type: 'switch',
  category: 'function',
  inputs: 1,
  outputs: (config) => config.outputs,
  properties: {
    name: string({ default: '' }),
    property: typed({ default: 'payload', typeKey: 'propertyType', types: ['msg', 'flow', 'global', 'jsonata', 'env'], label: 'Property' }),
    propertyType: select(['msg', 'flow', 'global', 'jsonata', 'env'], { default: 'msg', lenient: true }),
    rules: json<SwitchRule[]>({ default: [{ t: 'eq', v: '', vt: 'str' }], check: checkRules }),
    checkall: select(['true', 'false'], { default: 'true', lenient: true }),
    repair: boolean({ default: false, label: 'recreate message sequences' }),
    outputs: number({ default: 1, min: 0, integer: true }),
  },
  editor: { color: '#E2D96E', icon: 'switch.svg' },
  migrate: migrateSwitch,
  validate(config) {
    const compiled = compileSwitchRules(config.rules, undefined, config.id);
    const issues = [...propertyIssues(config), ...compiled.issues];
    if (issues.length === 0 && compiled.hostFree) checkedRules.set(config, compiled.rules);
    return issues;
  },
  create(config, node) {
    const readProperty = compileProperty(config.property, config.propertyType || 'msg', node);
    const checked = checkedRules.get(config);
    if (checked) checkedRules.delete(config);
    const rules = checked ?? compileSwitchRules(config.rules, node, config.id).rules;
    // The machinery that handles messages is made at the first message: most nodes of a large
    // deploy wait long for theirs, or never get one, and a deploy then makes a few objects per
    // node instead of a dozen closures.
    let runner: NodeHandlers | undefined;
    return {
      onInput(msg, send, done) {
        (runner ??= switchRunner(config, node, readProperty, rules)).onInput!(msg, send, done);
      },
      onClose() {
        return runner?.onClose?.(false);
      },
    };
  },
});

type SwitchConfig = { checkall: string; repair: boolean };

/** Routes messages of one switch node by its compiled property and rules. */
function switchRunner(config: SwitchConfig, node: NodeApi, readProperty: PropertyReader, rules: CompiledRule[]): NodeHandlers {
  const stopAtFirst = config.checkall === 'false';
  const repair = config.repair;
  const needsCount = repair || rules.some((r) => r.t === 'tail');
  const ports = rules.length;
  const state: SwitchState = { previousValue: null };
  const maxKept = Number(node.runtime.settings.nodeMessageBufferMaxLength ?? 0) || 0;
  // Made at the first message that is part of a sequence: most switch nodes never see one.
  let sequenceBuffers: ReturnType<typeof createSequenceBuffers> | undefined;
  const buffers = () => (sequenceBuffers ??= createSequenceBuffers(maxKept));

  const hasSequence = (msg: Msg): boolean => {
    const parts = msg.parts as Partial<SequenceParts> | undefined;
    return typeof parts === 'object' && parts !== null && Object.hasOwn(parts, 'id') && Object.hasOwn(parts, 'index');
  };

  /** Applies one rule; returns true when evaluation stops here. */
  const applyOne = (rule: CompiledRule, property: unknown, v1: unknown, v2: unknown, msg: Msg, run: RunState): boolean => {
    let subject = property;
    if (rule.t === 'else') {
      subject = run.elseflag;
      run.elseflag = true;
    }
    if (rule.test(subject, v1, v2, rule, msg.parts as SequenceParts)) {
      run.onward.push(msg);
      run.elseflag = false;
      if (stopAtFirst) return true;
    } else {
      run.onward.push(null);
    }
    return false;
  };

  const finish = (property: unknown, run: RunState): Onward => {
    state.previousValue = property;
    return run.onward;
  };

  const runRules = (msg: Msg, property: unknown, run: RunState, start: number): Maybe<Onward> => {
    for (let i = start; i < rules.length; i++) {
      const rule = rules[i]!;
      const a = rule.v1.get(msg, state, run.hasParts);
      const b = rule.v2.get(msg, state, run.hasParts);
      if (isPromise(a) || isPromise(b)) return rulesLater(a, b, rule, msg, property, run, i);
      if (applyOne(rule, property, a, b, msg, run)) break;
    }
    return finish(property, run);
  };

  // The promise continuations are functions apart from the synchronous path that calls them:
  // V8 allocates a function's context on entry when a closure inside it captures its variables
  // (in a loop, on each turn), whether or not the closure is ever made, and these paths run
  // once per message and rule.
  const rulesLater = (a: unknown, b: unknown, rule: CompiledRule, msg: Msg, property: unknown, run: RunState, i: number): Promise<Onward> =>
    Promise.all([a, b]).then(([va, vb]) => (applyOne(rule, property, va, vb, msg, run) ? finish(property, run) : runRules(msg, property, run, i + 1)));

  const evaluate = (msg: Msg, property: unknown): Maybe<Onward> => {
    if (rules.length === 0) return [];
    return runRules(msg, property, { elseflag: true, onward: [], hasParts: hasSequence(msg) }, 0);
  };

  const route = (msg: Msg, onward: Onward, send: SendFn): void => {
    if (!repair || !hasSequence(msg)) {
      send(onward);
      return;
    }
    const rows = buffers().addOutgoing(onward, msg, ports);
    if (rows === 'overflow') node.error('too many pending messages in switch node', msg);
    else if (rows) for (const row of rows) send(row);
  };

  /** Reads the property, applies the rules and routes: synchronously when it can. */
  const processOne = (msg: Msg, send: SendFn): Maybe<void> => {
    const property = readProperty(msg);
    if (isPromise(property)) return processLater(property, msg, send);
    return routeWith(msg, evaluate(msg, property), send);
  };

  const routeWith = (msg: Msg, onward: Maybe<Onward>, send: SendFn): Maybe<void> => {
    if (isPromise(onward)) return routeLater(onward, msg, send);
    route(msg, onward, send);
    return undefined;
  };

  const routeLater = (onward: Promise<Onward>, msg: Msg, send: SendFn): Promise<void> => onward.then((o) => route(msg, o, send));

  const processLater = (property: Promise<unknown>, msg: Msg, send: SendFn): Promise<void> =>
    property.then(
      (p) => routeWith(msg, evaluate(msg, p), send),
      // A JSONata property that fails is a warning in Node-RED, not an error.
      (err: unknown) => node.warn(err instanceof Error ? err.message : err),
    );

  /** Runs a completed sequence's messages one after the other. */
  const processAll = (msgs: Msg[], send: SendFn, from: number): Maybe<void> => {
    for (let i = from; i < msgs.length; i++) {
      const r = processOne(msgs[i]!, send);
      if (isPromise(r)) return processRestLater(r, msgs, send, i + 1);
    }
    return undefined;
  };

  const processRestLater = (r: Promise<void>, msgs: Msg[], send: SendFn, next: number): Promise<void> => r.then(() => processAll(msgs, send, next));

  const handle = (msg: Msg, send: SendFn): Maybe<void> => {
    if (needsCount && hasSequence(msg)) {
      const complete = buffers().addIncoming(msg);
      if (complete === 'overflow') {
        node.error('too many pending messages in switch node', msg);
        return undefined;
      }
      return complete ? processAll(complete, send, 0) : undefined;
    }
    return processOne(msg, send);
  };

  // One message at a time, in arrival order, as Node-RED does.
  const queue: Array<[Msg, SendFn, DoneFn]> = [];
  let busy = false;
  const accept = (msg: Msg, send: SendFn, done: DoneFn): void => {
    let result: Maybe<void>;
    try {
      result = handle(msg, send);
    } catch (err) {
      done(err);
      return;
    }
    if (!isPromise(result)) {
      done();
      return;
    }
    busy = true;
    settleLater(result, done);
  };
  const settleLater = (result: Promise<void>, done: DoneFn): void => {
    result.then(() => done(), (err: unknown) => done(err)).finally(drain);
  };
  const drain = (): void => {
    busy = false;
    while (!busy && queue.length > 0) {
      const [m, s, d] = queue.shift()!;
      accept(m, s, d);
    }
  };

  return {
    onInput(msg, send, done) {
      if (busy) queue.push([msg, send, done]);
      else accept(msg, send, done);
    },
    onClose() {
      sequenceBuffers?.clear();
      queue.length = 0;
    },
  };
}

