/**
 * Roles and what each may do. One table gives the weakest role that holds each permission, so the
 * roles stay strictly ordered (every operator right is also an editor right, and so on) and a new
 * permission is one line. `server/` checks every admin route and comms topic against `can`.
 */
import { ROLES, type Role } from './types.js';

/**
 * What a request or a comms subscription needs. Named `<area>.<verb>` like Node-RED's
 * permissions; `inject` and `debug.toggle` are the operator's buttons.
 */
export type Permission =
  | 'flows.read'
  | 'flows.write'
  | 'nodes.read'
  | 'nodes.write'
  | 'inject'
  | 'debug.read'
  | 'debug.toggle'
  | 'status.read'
  | 'context.read'
  | 'context.write'
  | 'settings.read'
  | 'settings.write'
  | 'users.manage'
  | 'security.manage'
  | 'audit.read'
  | 'history.read'
  | 'history.rollback';

/** The weakest role holding each permission. */
const MINIMUM_ROLE: Readonly<Record<Permission, Role>> = {
  // viewer: reads flows and sees debug and status; the editor needs settings to load at all.
  'flows.read': 'viewer',
  'nodes.read': 'viewer',
  'debug.read': 'viewer',
  'status.read': 'viewer',
  'context.read': 'viewer',
  'settings.read': 'viewer',
  'history.read': 'viewer',
  // operator: presses the buttons of a running flow without changing it.
  inject: 'operator',
  'debug.toggle': 'operator',
  // editor: changes what runs.
  'flows.write': 'editor',
  'context.write': 'editor',
  'history.rollback': 'editor',
  // admin: changes the installation itself. Enabling or disabling a node module changes which
  // code the runtime may load, so it sits with settings rather than with deploys.
  'nodes.write': 'admin',
  'settings.write': 'admin',
  'users.manage': 'admin',
  'security.manage': 'admin',
  'audit.read': 'admin',
};

/** Every permission, in table order. */
export const PERMISSIONS: readonly Permission[] = Object.keys(MINIMUM_ROLE) as Permission[];

/** Position of a role in `ROLES` (viewer 0 ... admin 3). */
export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** Whether `value` is one of the four roles. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether `value` names a permission of the table. */
export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(MINIMUM_ROLE, value);
}

/**
 * Whether a role holds a permission.
 * @example can('operator', 'inject') // true
 * @example can('operator', 'flows.write') // false
 */
export function can(role: Role, permission: Permission): boolean {
  // Unknown roles or permissions (from untyped callers, even `__proto__`) hold nothing.
  if (!isPermission(permission) || !isRole(role)) return false;
  return roleRank(role) >= roleRank(MINIMUM_ROLE[permission]);
}

/** The weakest role that holds `permission`. */
export function minimumRoleFor(permission: Permission): Role {
  return MINIMUM_ROLE[permission];
}

/** Every permission a role holds. */
export function permissionsOf(role: Role): Permission[] {
  return PERMISSIONS.filter((p) => can(role, p));
}

/** Node-RED write scopes an operator holds (its buttons), as Node-RED's editor names them. */
const OPERATOR_SCOPES = ['inject.write', 'debug.write'];
const EDITOR_SCOPES = [...OPERATOR_SCOPES, 'flows.write', 'context.write', 'library.write'];

/**
 * The role a Node-RED `permissions` scope stands for: `read` (or `*.read`) is viewer, `*` is admin,
 * `write`/`*.write` and single write scopes of flows, context or library are editor, `inject.write`
 * and `debug.write` operator, any other `<x>.read` viewer; a role name stands for itself. An array
 * stands for the strongest role among its known scopes. Unknown scopes count for nothing, so a
 * scope that means nothing here yields `undefined` rather than a guess.
 * @example roleFromScope(['read', 'inject.write']) // 'operator'
 */
export function roleFromScope(scope: unknown): Role | undefined {
  if (Array.isArray(scope)) {
    let best: Role | undefined;
    for (const s of scope) {
      const role = roleFromScope(s);
      if (role !== undefined && (best === undefined || roleRank(role) > roleRank(best))) best = role;
    }
    return best;
  }
  if (typeof scope !== 'string') return undefined;
  if (isRole(scope)) return scope;
  if (scope === '*') return 'admin';
  if (scope === 'read' || scope === '*.read') return 'viewer';
  if (scope === 'write' || scope === '*.write') return 'editor';
  if (OPERATOR_SCOPES.includes(scope)) return 'operator';
  if (EDITOR_SCOPES.includes(scope)) return 'editor';
  if (/^[a-z]+\.read$/.test(scope)) return 'viewer';
  return undefined;
}

/**
 * The Node-RED `permissions` value that describes a role to Node-RED clients (the editor's
 * `user.permissions`, the token's scope): viewer `read`, admin `*`, operator and editor `read`
 * plus the write scopes their buttons need. `roleFromScope(scopeForRole(r)) === r` for every role.
 */
export function scopeForRole(role: Role): string | string[] {
  switch (role) {
    case 'viewer':
      return 'read';
    case 'operator':
      return ['read', ...OPERATOR_SCOPES];
    case 'editor':
      return ['read', ...EDITOR_SCOPES];
    case 'admin':
      return '*';
  }
}
