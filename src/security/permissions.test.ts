import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PERMISSIONS, can, isRole, minimumRoleFor, permissionsOf, roleFromScope, scopeForRole, type Permission } from './permissions.js';
import { ROLES, type Role } from './types.js';

/** Expected rights, written out by hand so the table in permissions.ts is checked, not restated. */
const EXPECTED: Record<Permission, Record<Role, boolean>> = {
  'flows.read': { viewer: true, operator: true, editor: true, admin: true },
  'nodes.read': { viewer: true, operator: true, editor: true, admin: true },
  'debug.read': { viewer: true, operator: true, editor: true, admin: true },
  'status.read': { viewer: true, operator: true, editor: true, admin: true },
  'context.read': { viewer: true, operator: true, editor: true, admin: true },
  'settings.read': { viewer: true, operator: true, editor: true, admin: true },
  'history.read': { viewer: true, operator: true, editor: true, admin: true },
  inject: { viewer: false, operator: true, editor: true, admin: true },
  'debug.toggle': { viewer: false, operator: true, editor: true, admin: true },
  'flows.write': { viewer: false, operator: false, editor: true, admin: true },
  'context.write': { viewer: false, operator: false, editor: true, admin: true },
  'history.rollback': { viewer: false, operator: false, editor: true, admin: true },
  'nodes.write': { viewer: false, operator: false, editor: false, admin: true },
  'settings.write': { viewer: false, operator: false, editor: false, admin: true },
  'users.manage': { viewer: false, operator: false, editor: false, admin: true },
  'security.manage': { viewer: false, operator: false, editor: false, admin: true },
  'audit.read': { viewer: false, operator: false, editor: false, admin: true },
};

describe('can', () => {
  for (const permission of PERMISSIONS) {
    for (const role of ROLES) {
      const expected = EXPECTED[permission][role];
      it(`${expected ? 'grants' : 'refuses'} ${permission} to ${role}`, () => {
        assert.equal(can(role, permission), expected);
      });
    }
  }

  it('covers exactly the permissions of the expected table', () => {
    assert.deepEqual([...PERMISSIONS].sort(), Object.keys(EXPECTED).sort());
  });

  it('refuses unknown roles and unknown permissions from untyped callers', () => {
    assert.equal(can('root' as Role, 'flows.read'), false);
    assert.equal(can('admin', 'flows.delete' as Permission), false);
    assert.equal(can('admin', '__proto__' as Permission), false);
  });

  it('keeps the roles ordered: each role holds every right of the weaker ones', () => {
    for (let i = 1; i < ROLES.length; i++) {
      const weaker = permissionsOf(ROLES[i - 1] as Role);
      const stronger = permissionsOf(ROLES[i] as Role);
      for (const p of weaker) assert.ok(stronger.includes(p), `${ROLES[i]} lacks ${p}`);
      assert.ok(stronger.length > weaker.length);
    }
  });

  it('names the weakest role of a permission', () => {
    assert.equal(minimumRoleFor('inject'), 'operator');
    assert.equal(minimumRoleFor('flows.write'), 'editor');
  });
});

describe('roleFromScope', () => {
  const cases: [unknown, Role | undefined][] = [
    ['read', 'viewer'],
    ['*.read', 'viewer'],
    ['*', 'admin'],
    ['flows.read', 'viewer'],
    ['inject.write', 'operator'],
    ['debug.write', 'operator'],
    ['flows.write', 'editor'],
    ['write', 'editor'],
    ['editor', 'editor'],
    [['read', 'inject.write'], 'operator'],
    [['read', '*'], 'admin'],
    [['nonsense', 'read'], 'viewer'],
    [[], undefined],
    ['', undefined],
    ['nonsense', undefined],
    ['Read', undefined],
    [42, undefined],
    [null, undefined],
  ];
  for (const [scope, role] of cases) {
    it(`maps ${JSON.stringify(scope)} to ${role ?? 'nothing'}`, () => {
      assert.equal(roleFromScope(scope), role);
    });
  }

  it('round-trips every role through scopeForRole', () => {
    for (const role of ROLES) assert.equal(roleFromScope(scopeForRole(role)), role);
    assert.equal(scopeForRole('viewer'), 'read');
    assert.equal(scopeForRole('admin'), '*');
  });
});

describe('isRole', () => {
  it('accepts the four roles and nothing else', () => {
    for (const role of ROLES) assert.equal(isRole(role), true);
    for (const value of ['Admin', 'root', '', undefined, 3]) assert.equal(isRole(value), false);
  });
});
