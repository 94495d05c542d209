import { builtinModules } from 'node:module';
import { PermissionError, ValidationError } from '../../errors/index.js';
import type { ValidationIssue } from '../../errors/index.js';
import type { ExternalModulesPolicy, FunctionDef, FunctionLib } from './types.js';

/** How a module's exports look from inside the isolate: functions become proxies, data is copied. */
export type LibShape =
  | { kind: 'value'; value: unknown }
  | { kind: 'function' | 'object'; members: Record<string, LibShape> };

export interface LoadedLib {
  var: string;
  module: string;
  shape: LibShape;
  root: unknown;
}

/** Names user code already has; a lib variable may not hide them (Node-RED refuses `node` too). */
const RESERVED = new Set([
  'msg', 'node', 'context', 'flow', 'global', 'env', 'RED', 'console', 'Buffer', 'util', 'promisify',
  'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'globalThis', 'eval', 'Function',
]);
const MAX_DEPTH = 3;
const MAX_MEMBERS = 500;

function isBuiltin(name: string): boolean {
  return name.startsWith('node:') || builtinModules.includes(name) || builtinModules.includes(name.split('/')[0] ?? name);
}

/**
 * Refuses a node whose `libs` the settings do not allow: all of them when
 * `functionExternalModules` is off, and Node built-ins unless the allow-list names them.
 */
export function checkLibs(def: FunctionDef, policy: ExternalModulesPolicy | undefined): void {
  const libs = def.libs ?? [];
  if (libs.length === 0) return;
  const label = `function node '${def.name || def.nodeId}' (${def.nodeId})`;
  const issues: ValidationIssue[] = [];
  libs.forEach((lib: FunctionLib, i) => {
    if (!/^[A-Za-z_$][\w$]*$/.test(lib.var) || RESERVED.has(lib.var)) {
      issues.push({ code: 'invalid_lib_var', nodeId: def.nodeId, property: 'libs', path: `[${i}].var`, message: `'${lib.var}' cannot be used as a module variable name` });
    }
    if (typeof lib.module !== 'string' || lib.module.trim() === '') {
      issues.push({ code: 'invalid_lib_module', nodeId: def.nodeId, property: 'libs', path: `[${i}].module`, message: 'module name is empty' });
    }
  });
  if (issues.length > 0) throw new ValidationError(`${label} has invalid libs`, issues);
  for (const lib of libs) {
    if (policy === undefined || !policy.enabled) {
      throw new PermissionError(
        `${label} uses module '${lib.module}', but external modules are not allowed (set functionExternalModules)`,
        { nodeId: def.nodeId, property: 'libs', setting: 'functionExternalModules' },
      );
    }
    const listed = policy.allow?.includes(lib.module) ?? false;
    if ((policy.allow !== undefined && !listed) || (isBuiltin(lib.module) && !listed)) {
      throw new PermissionError(
        `${label} uses module '${lib.module}', which is not in the allowed module list`,
        { nodeId: def.nodeId, property: 'libs', setting: 'functionExternalModules' },
      );
    }
  }
}

function isPlainData(v: unknown, depth: number): boolean {
  if (v === null || ['string', 'number', 'boolean', 'undefined', 'bigint'].includes(typeof v)) return true;
  if (typeof v !== 'object' || depth > MAX_DEPTH) return false;
  if (v instanceof Date || v instanceof RegExp) return true;
  if (Array.isArray(v)) return v.every((x) => isPlainData(x, depth + 1));
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  return Object.values(v).every((x) => isPlainData(x, depth + 1));
}

/** Describes exports: functions (and their static members) become callable proxies; data is copied. */
export function shapeOf(value: unknown, depth = 0): LibShape | null {
  if (typeof value === 'function' || (value !== null && typeof value === 'object' && !isPlainData(value, depth))) {
    if (depth > MAX_DEPTH) return null;
    const members: Record<string, LibShape> = {};
    let n = 0;
    for (const key of Object.keys(value as object)) {
      if (n++ >= MAX_MEMBERS || key === '__proto__') break;
      const shape = shapeOf((value as Record<string, unknown>)[key], depth + 1);
      if (shape !== null) members[key] = shape;
    }
    return { kind: typeof value === 'function' ? 'function' : 'object', members };
  }
  return isPlainData(value, depth) ? { kind: 'value', value } : null;
}

export async function loadLibs(def: FunctionDef, policy: ExternalModulesPolicy | undefined): Promise<LoadedLib[]> {
  checkLibs(def, policy);
  const out: LoadedLib[] = [];
  for (const lib of def.libs ?? []) {
    if (policy === undefined) break;
    let root: unknown;
    try {
      root = await policy.load(lib.module);
    } catch (err) {
      throw new PermissionError(`function node '${def.name || def.nodeId}' (${def.nodeId}) could not load module '${lib.module}': ${(err as Error).message}`, { nodeId: def.nodeId, property: 'libs' });
    }
    const shape = shapeOf(root) ?? { kind: 'value', value: undefined };
    out.push({ var: lib.var, module: lib.module, shape, root });
  }
  return out;
}

/** Finds the function at `path` in a loaded module and the object it is a method of. */
export function resolveLibFunction(lib: LoadedLib, path: unknown): { fn: (...args: unknown[]) => unknown; self: unknown } | null {
  if (!Array.isArray(path)) return null;
  let self: unknown = undefined;
  let cur: unknown = lib.root;
  for (const key of path) {
    if (typeof key !== 'string' || key === '__proto__' || cur === null || cur === undefined) return null;
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return null;
    self = cur;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'function' ? { fn: cur as (...args: unknown[]) => unknown, self } : null;
}
