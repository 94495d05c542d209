/**
 * The message properties an inject node sets (`props`: `{ p, v, vt }` entries): the legacy
 * shapes lifted to the current one, the checks made at deploy, and compiling and applying them.
 */
import type { ValidationIssue } from '../../errors/index.js';
import {
  compileMessagePath,
  compileTypedProperty,
  evaluateJSONataExpression,
  evaluateNodeProperty,
  normalisePropertyExpression,
  parseContextStore,
  prepareJSONataExpression,
  type CompiledPath,
  type CompiledProperty,
} from '../../runtime/properties/index.js';
import type { FlowConfigNode, Msg, PropertyHost } from '../../runtime/types.js';

/** One saved entry: the message property `p`, its value `v` and the value's type `vt`. */
export interface InjectProp {
  p: string;
  v?: unknown;
  vt?: string;
}

/** What the editor saves for a new inject node. */
export const DEFAULT_INJECT_PROPS: InjectProp[] = [{ p: 'payload' }, { p: 'topic', vt: 'str' }];

/** The property types the inject node's form offers. */
export const INJECT_VALUE_TYPES = ['flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 'date', 'jsonata', 'env', 'msg'] as const;

const ENV_ONLY = /^\$\{[^}]+\}$/;

/**
 * Pure. Inject nodes saved before `props` existed keep their value in `payload`/`payloadType`
 * and `topic`; newer ones still keep the payload's and a string topic's value there (the editor
 * moves them back on save). Both are turned into complete `props` entries. Returns the input
 * itself when every entry has its value already, else a new object; the input is not changed.
 */
export function liftLegacyInjectProps(raw: FlowConfigNode): FlowConfigNode {
  if (!Array.isArray(raw.props)) {
    return {
      ...raw,
      props: [
        { p: 'payload', v: raw.payload, vt: raw.payloadType },
        { p: 'topic', v: raw.topic, vt: 'str' },
      ],
    };
  }
  // Copied at the first entry that needs its value: a node whose entries all hold theirs (as
  // the editor saves the payload and topic entries when they have values) is kept as it is.
  const saved = raw.props as unknown[];
  let props: unknown[] | undefined;
  for (let i = 0; i < saved.length; i++) {
    const entry = saved[i];
    if (entry === null || typeof entry !== 'object') continue;
    const prop = entry as InjectProp;
    let lifted: InjectProp | undefined;
    if (prop.p === 'payload' && !('v' in prop)) lifted = { ...prop, v: raw.payload, vt: raw.payloadType as string | undefined };
    else if (prop.p === 'topic' && prop.vt === 'str' && !('v' in prop)) lifted = { ...prop, v: raw.topic };
    if (lifted) (props ??= saved.slice())[i] = lifted;
  }
  return props ? { ...raw, props } : raw;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Checks each entry as Node-RED's editor does; every problem is one issue on `props`. */
export function validateInjectProps(props: unknown, nodeId: string): ValidationIssue[] {
  if (!Array.isArray(props)) return [{ code: 'invalid_property', nodeId, property: 'props', message: "'props' must be a list" }];
  const issues: ValidationIssue[] = [];
  const issue = (code: string, text: string) => issues.push({ code, nodeId, property: 'props', message: text });
  props.forEach((entry, i) => {
    if (entry === null || typeof entry !== 'object') {
      issue('invalid_property', `props[${i}] must be an object`);
      return;
    }
    const { p, v, vt } = entry as InjectProp;
    if (!p) return;
    const name = `msg.${String(p)}`;
    try {
      compileMessagePath(String(p));
    } catch (err) {
      issue('invalid_property_expression', `${name}: invalid property name: ${message(err)}`);
      return;
    }
    // A value that is only an env reference is resolved when the node starts, and checked then.
    if (typeof v === 'string' && ENV_ONLY.test(v)) return;
    const type = vt ?? 'str';
    try {
      if (type === 'flow' || type === 'global') normalisePropertyExpression(parseContextStore(String(v ?? '')).key);
      else if (type === 'jsonata') {
        if (v) prepareJSONataExpression(String(v), undefined);
      } else compileTypedProperty(v ?? '', type, undefined);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      issue(typeof code === 'string' ? code : 'invalid_property_value', `${name}: ${message(err)}`);
    }
  });
  return issues;
}

/** An entry ready to apply to messages. */
export interface CompiledInjectProp {
  readonly path: CompiledPath;
  readonly value: CompiledProperty;
}

/**
 * Compiles the saved entries once per deploy. Entries without a property name, and JSONata
 * entries without an expression, set nothing (as in Node-RED) and are left out.
 */
export function compileInjectProps(props: readonly InjectProp[], node: PropertyHost): CompiledInjectProp[] {
  const out: CompiledInjectProp[] = [];
  for (const prop of props) {
    if (!prop || !prop.p) continue;
    const type = prop.vt ?? 'str';
    if (type === 'jsonata' && !prop.v) continue;
    out.push({ path: compileMessagePath(String(prop.p)), value: compileTypedProperty(prop.v ?? '', type, node) });
  }
  return out;
}

function describeFailure(err: unknown, isJsonata: boolean): string {
  return isJsonata ? `Invalid JSONata expression: ${message(err)}` : String(err);
}

/** Applies compiled entries in order (a later one sees what an earlier one set); returns the errors. */
export async function applyCompiledProps(props: readonly CompiledInjectProp[], msg: Msg): Promise<string[]> {
  const errors: string[] = [];
  for (const prop of props) {
    try {
      const value = prop.value.isAsync ? await prop.value(msg) : prop.value(msg);
      prop.path.set(msg, value, true);
    } catch (err) {
      errors.push(describeFailure(err, prop.value.type === 'jsonata'));
    }
  }
  return errors;
}

function evaluate(value: unknown, type: string, node: PropertyHost, msg: Msg): Promise<unknown> {
  if (type === 'jsonata') return evaluateJSONataExpression(prepareJSONataExpression(String(value), node), msg);
  return new Promise((resolve, reject) => {
    evaluateNodeProperty(value, type, node, msg, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * Applies entries that came with the message (`msg.__user_inject_props__`, sent by the editor's
 * "inject now" button of an edited node): evaluated once, as Node-RED evaluates them.
 */
export async function applyUserProps(props: readonly unknown[], node: PropertyHost, msg: Msg): Promise<string[]> {
  const errors: string[] = [];
  for (const entry of props) {
    if (entry === null || typeof entry !== 'object') continue;
    const prop = entry as InjectProp;
    if (!prop.p) continue;
    const type = prop.vt ?? 'str';
    if (type === 'jsonata' && !prop.v) continue;
    try {
      const value = await evaluate(prop.v ?? '', type, node, msg);
      compileMessagePath(String(prop.p)).set(msg, value, true);
    } catch (err) {
      errors.push(describeFailure(err, type === 'jsonata'));
    }
  }
  return errors;
}
