/**
 * Change rules compiled once per deploy into steps: targets parsed, regexes built, JSON and
 * JSONata parsed, env values read. A move rule becomes the set/delete steps Node-RED runs for it.
 * The same compiler serves validation (every issue, naming the rule) and `create`.
 */
import type { ValidationIssue } from '../../../errors/index.js';
import {
  compileMessagePath,
  compileTypedProperty,
  evaluateNodeProperty,
  prepareJSONataExpression,
  rebindJSONataExpression,
  type CompiledPath,
  type PreparedJSONata,
} from '../../../runtime/properties/index.js';
import type { PropertyHost } from '../../../runtime/types.js';
import type { ChangeRule } from './migrate.js';
import { compileTarget, type RuleTarget } from './targets.js';

/** Where a rule's value comes from. `dynamic` getters may return a Promise. */
export type ValueSource =
  | { readonly kind: 'const'; readonly value: unknown }
  | { readonly kind: 'fresh'; readonly make: () => unknown }
  | { readonly kind: 'msg'; readonly path: CompiledPath }
  | { readonly kind: 'context'; readonly target: Extract<RuleTarget, { kind: 'flow' | 'global' }> }
  | { readonly kind: 'jsonata'; readonly prepared: PreparedJSONata };

/** The search part of a change rule. */
export type FromSource =
  | { readonly kind: 'static'; readonly type: string; readonly value: string; readonly re: RegExp }
  | { readonly kind: 'msg'; readonly path: CompiledPath }
  | { readonly kind: 'context'; readonly target: Extract<RuleTarget, { kind: 'flow' | 'global' }> };

export type ChangeStep =
  | { readonly op: 'set'; readonly target: RuleTarget; readonly value: ValueSource; readonly deepClone: boolean }
  | { readonly op: 'delete'; readonly target: RuleTarget }
  | { readonly op: 'change'; readonly target: RuleTarget; readonly value: ValueSource; readonly tot: string; readonly from: FromSource };

const ACTIONS = new Set(['set', 'change', 'delete', 'move']);
const REGEX_SPECIALS = /[-[\]{}()*+?.,\\^$|#\s]/g;

/** Escapes text so that it matches itself literally, as Node-RED escapes a plain search string. */
export function escapeSearch(text: string): string {
  return text.replace(REGEX_SPECIALS, '\\$&');
}

/** Values filled from `${ENV}` when the node starts cannot be checked before. */
const hasEnvRef = (v: unknown): boolean => typeof v === 'string' && v.includes('${');

function compileValue(to: unknown, tot: string, host: PropertyHost | undefined): ValueSource {
  switch (tot) {
    case 'msg':
      return { kind: 'msg', path: compileMessagePath(String(to)) };
    case 'flow':
    case 'global': {
      const target = compileTarget(String(to), tot);
      return { kind: 'context', target: target as Extract<RuleTarget, { kind: 'flow' | 'global' }> };
    }
    case 'jsonata':
      return { kind: 'jsonata', prepared: prepareJSONataExpression(String(to), host) };
    case 'num': {
      const n = Number(to);
      if (Number.isNaN(n) && !hasEnvRef(to)) throw new Error(`'to' is not a number: ${JSON.stringify(to)}`);
      return { kind: 'const', value: n };
    }
    case 'bool':
      return { kind: 'const', value: /^true$/i.test(String(to)) };
    case 'json':
    case 'bin': {
      if (hasEnvRef(to) && !host) return { kind: 'const', value: to };
      // Parsed now to refuse bad JSON at deploy; built per message so no two messages share it.
      const typed = compileTypedProperty(to, tot, host);
      return { kind: 'fresh', make: () => typed() };
    }
    case 'date': {
      const typed = compileTypedProperty(to, 'date', host);
      return { kind: 'fresh', make: () => typed() };
    }
    case 'env':
      // Read once at deploy, as Node-RED does.
      return { kind: 'const', value: host ? evaluateNodeProperty(to, 'env', host, undefined) : to };
    default:
      // 'str' and types Node-RED has no runtime handling for keep the saved value as it is.
      return { kind: 'const', value: to };
  }
}

function compileFrom(from: unknown, fromt: string): FromSource {
  if (fromt === 'msg') return { kind: 'msg', path: compileMessagePath(String(from)) };
  if (fromt === 'flow' || fromt === 'global') {
    return { kind: 'context', target: compileTarget(String(from), fromt) as Extract<RuleTarget, { kind: 'flow' | 'global' }> };
  }
  const text = from === undefined || from === null ? '' : String(from);
  // Node-RED searches for env, num, bool and str values as literal text; only 're' is a pattern.
  let re: RegExp;
  try {
    re = new RegExp(fromt === 're' ? text : escapeSearch(text), 'g');
  } catch (err) {
    throw new Error(`Invalid 'from' property: ${(err as Error).message}`);
  }
  return { kind: 'static', type: fromt, value: text, re };
}

function compileRule(rule: ChangeRule, host: PropertyHost | undefined): ChangeStep[] {
  const pt = rule.pt || 'msg';
  const tot = rule.tot || 'str';
  const p = String(rule.p ?? '');
  const target = compileTarget(p, pt);
  switch (rule.t) {
    case 'set':
      return [{ op: 'set', target, value: compileValue(rule.to, tot, host), deepClone: rule.dc === true || rule.dc === 'true' }];
    case 'delete':
      return [{ op: 'delete', target }];
    case 'change':
      return [{ op: 'change', target, value: compileValue(rule.to, tot, host), tot, from: compileFrom(rule.from, rule.fromt || 'str') }];
    case 'move': {
      const to = String(rule.to ?? '');
      const dest = compileTarget(to, tot);
      const read = (expr: string, type: string) => compileValue(expr, type, host);
      // Node-RED's two shapes of a move: direct, or through `_temp_move` when source and
      // destination share a type and the destination does not occur in the source path.
      if (tot !== pt || (p.includes(to) && p !== to)) {
        return [
          { op: 'set', target: dest, value: read(p, pt), deepClone: false },
          { op: 'delete', target },
        ];
      }
      const temp = compileTarget('_temp_move', tot);
      const tempForDelete = compileTarget('_temp_move', pt);
      return [
        { op: 'set', target: temp, value: read(p, pt), deepClone: false },
        { op: 'delete', target },
        { op: 'set', target: dest, value: read('_temp_move', pt), deepClone: false },
        { op: 'delete', target: tempForDelete },
      ];
    }
    default:
      throw new Error(`unknown action '${String(rule.t)}' (use set, change, delete or move)`);
  }
}

/**
 * Compiles every rule. `host` is the live node in `create` (env values are read from it) and
 * undefined when only validating. Problems are returned, one per rule, never thrown.
 */
export function compileChangeRules(
  rules: readonly unknown[],
  host: PropertyHost | undefined,
  nodeId: string,
): { steps: ChangeStep[]; issues: ValidationIssue[]; hostFree: boolean } {
  const steps: ChangeStep[] = [];
  const issues: ValidationIssue[] = [];
  let hostFree = true;
  for (let i = 0; i < rules.length; i++) {
    const raw = rules[i];
    if (raw === null || typeof raw !== 'object' || !ACTIONS.has(String((raw as ChangeRule).t))) {
      const t = raw !== null && typeof raw === 'object' ? (raw as ChangeRule).t : raw;
      issues.push({ code: 'invalid_rule', nodeId, property: 'rules', message: `rule ${i + 1}: unknown action '${String(t)}' (use set, change, delete or move)` });
      continue;
    }
    const rule = raw as ChangeRule;
    if (rule.tot === 'env' || rule.pt === 'env' || rule.fromt === 'env') hostFree = false;
    if (!host && (hasEnvRef(rule.p) || hasEnvRef(rule.to) || hasEnvRef(rule.from))) {
      hostFree = false;
      continue;
    }
    try {
      const made = compileRule(rule, host);
      for (let k = 0; k < made.length; k++) steps.push(made[k]!);
    } catch (err) {
      const e = err as Error & { code?: string };
      issues.push({ code: e.code ?? 'invalid_rule', nodeId, property: 'rules', message: `rule ${i + 1}: ${e.message}` });
    }
  }
  return { steps, issues, hostFree };
}

/**
 * Steps compiled without a node (at deploy validation, `hostFree`) made ready for `host`: only
 * JSONata values hold their node; every other step is shared as it is.
 */
export function bindChangeSteps(steps: readonly ChangeStep[], host: PropertyHost): readonly ChangeStep[] {
  // Most rule lists hold no JSONata value: those steps need no node, so the list is kept, not copied.
  if (!steps.some((step) => step.op !== 'delete' && step.value.kind === 'jsonata')) return steps;
  return steps.map((step) => {
    if (step.op === 'delete' || step.value.kind !== 'jsonata') return step;
    return { ...step, value: { kind: 'jsonata', prepared: rebindJSONataExpression(step.value.prepared, host) } };
  });
}
