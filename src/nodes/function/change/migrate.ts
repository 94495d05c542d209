/**
 * Legacy change-node shapes lifted to the current rule format. Node-RED does this in the node's
 * constructor on every start; here it is a pure function run before validation.
 */
import type { FlowConfigNode } from '../../../runtime/types.js';

/** One change rule as Node-RED saves it today. */
export interface ChangeRule {
  t: 'set' | 'change' | 'delete' | 'move';
  p: string;
  pt: string;
  to?: unknown;
  tot?: string;
  from?: unknown;
  fromt?: string;
  /** Deep-clone the value before setting it (set rules). */
  dc?: boolean | string;
  [key: string]: unknown;
}

/**
 * Lifts the single-rule shape (`action`, `property`, `from`, `to`, `reg`) into `rules`, and
 * rewrites legacy rules: the old `re` flag becomes `fromt: 're'`, a set rule whose `to` starts
 * with `msg.` and has no type becomes a msg reference; such a rule also gets its types (`pt`
 * msg, missing `tot`/`fromt` str). A rule with nothing legacy is kept as saved: the compiler
 * reads a missing `pt`, `tot` or `fromt` as those same defaults. Returns the input itself when
 * nothing is legacy (a node as the editor saves it), else a new object; the input is not changed.
 *
 * @example migrateChangeNode({ id: 'c', type: 'change', action: 'replace', property: 'payload', to: 'x' })
 *   // rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'x', tot: 'str', fromt: 'str' }]
 */
export function migrateChangeNode(raw: FlowConfigNode): FlowConfigNode {
  if (Array.isArray(raw.rules)) {
    const saved = raw.rules as unknown[];
    let rules: unknown[] | undefined;
    for (let i = 0; i < saved.length; i++) {
      const r = saved[i];
      if (r === null || typeof r !== 'object' || !isLegacyRule(r as Record<string, unknown>)) continue;
      // Copied at the first legacy rule; the rules before it are kept as they are.
      (rules ??= saved.slice())[i] = typeRule({ ...(r as Record<string, unknown>) });
    }
    return rules ? { ...raw, rules } : raw;
  }
  return { ...raw, rules: [typeRule(legacyRule(raw))] };
}

/** A rule that `typeRule` changes in meaning, not only by filling in its default types. */
function isLegacyRule(rule: Record<string, unknown>): boolean {
  if (rule.t === 'change' && 're' in rule) return true;
  return rule.t === 'set' && !rule.tot && typeof rule.to === 'string' && rule.to.startsWith('msg.');
}

function legacyRule(raw: FlowConfigNode): Record<string, unknown> {
  const action = raw.action === 'replace' ? 'set' : raw.action;
  const rule: Record<string, unknown> = { t: action, p: raw.property || '' };
  if (action === 'set' || action === 'move') {
    rule.to = raw.to || '';
  } else if (action === 'change') {
    rule.from = raw.from || '';
    rule.to = raw.to || '';
    // Node-RED treats a missing (null) `reg` as a regular expression.
    rule.re = raw.reg === null || raw.reg;
  }
  return rule;
}

function typeRule(rule: Record<string, unknown>): Record<string, unknown> {
  if (!rule.pt) rule.pt = 'msg';
  if (rule.t === 'change' && rule.re) rule.fromt = 're';
  if ('re' in rule && rule.t === 'change') delete rule.re;
  if (rule.t === 'set' && !rule.tot && typeof rule.to === 'string' && rule.to.startsWith('msg.')) {
    rule.to = rule.to.substring(4);
    rule.tot = 'msg';
  }
  if (!rule.tot) rule.tot = 'str';
  if (!rule.fromt) rule.fromt = 'str';
  return rule;
}
