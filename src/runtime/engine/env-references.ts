/**
 * Whether flows refer to env vars (`${VAR}`, or `$(VAR)` in a JSON text), found cheaply: a deploy
 * of 10,000 nodes asks this of each, and nearly none does. Pure.
 */
import type { FlowConfigNode } from '../types.js';

/**
 * Keys whose values are never filled from env vars (see mapEnvVarProperties) and that no
 * declared property reads: skipped, as a large flow's wires alone are most of its strings.
 */
const NEVER_SUBSTITUTED = new Set(['id', 'type', 'z', 'wires', 'x', 'y']);

/**
 * Whether a node's settings (its keys but the structural ones) refer to `${VAR}`.
 * @example
 * nodeUsesEnv({ id: 'n1', type: 'mqtt in', z: 't1', topic: '${SITE}/temp' }); // true
 */
export function nodeUsesEnv(node: FlowConfigNode): boolean {
  for (const key in node) {
    if (!NEVER_SUBSTITUTED.has(key) && hasEnvReference((node as Record<string, unknown>)[key], 1)) return true;
  }
  return false;
}

/**
 * Whether a JSON text holds `${` or `$(` anywhere: JSON never escapes either, so no string of it can without.
 * @example
 * mayReferToEnv('[{"id":"n1","topic":"a/b"}]'); // false
 */
export function mayReferToEnv(serialised: string): boolean {
  // One pass over the text (megabytes for a large flow), from one `$` to the next.
  for (let at = serialised.indexOf('$'); at !== -1; at = serialised.indexOf('$', at + 1)) {
    const next = serialised.charCodeAt(at + 1);
    if (next === 0x7b || next === 0x28) return true;
  }
  return false;
}

/** Whether any string in a node's config (nested lists and objects too) refers to `${VAR}`. */
function hasEnvReference(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.indexOf('$') !== -1 && (value.includes('${') || value.includes('$('));
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasEnvReference(value[i], depth + 1)) return true;
    return false;
  }
  for (const key in value) if (hasEnvReference((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}
