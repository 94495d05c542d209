import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Request, Response } from 'express';
import type { RedApi } from '../compat/red-api.js';
import { ROLES, roleRank, type Role } from '../security/index.js';
import { roleForContribPermission } from './http/contrib-permission.js';
import { startTestServer, type TestServer } from './testing/test-server.js';

/** A contrib module with admin routes of each kind, as serial or modbus nodes add them. */
function contribWithRoutes(RED: RedApi) {
  const admin = RED.httpAdmin as { get: Function; post: Function };
  admin.get('/thing/ports', RED.auth.needsPermission('thing.read'), (_req: Request, res: Response) => res.json(['/dev/ttyS0']));
  admin.post('/thing/reset', RED.auth.needsPermission('thing.write'), (_req: Request, res: Response) => res.json({ reset: true }));
  admin.post('/thing/press', RED.auth.needsPermission('inject.write'), (_req: Request, res: Response) => res.json({ pressed: true }));
  admin.get('/thing/secret', RED.auth.needsPermission('thing'), (_req: Request, res: Response) => res.json({ secret: 's3' }));
}

const ROUTES: Array<{ method: string; path: string; min: Role; body: string }> = [
  { method: 'GET', path: '/thing/ports', min: 'viewer', body: '/dev/ttyS0' },
  { method: 'POST', path: '/thing/press', min: 'operator', body: 'pressed' },
  { method: 'POST', path: '/thing/reset', min: 'editor', body: 'reset' },
  { method: 'GET', path: '/thing/secret', min: 'editor', body: 's3' },
];

describe("contrib nodes' admin routes (RED.httpAdmin with RED.auth.needsPermission)", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    await t.runtime.loadNodeModule(contribWithRoutes, 'node-red-contrib-thing');
  });
  after(() => t?.close());

  it('maps Node-RED permission names onto roles', () => {
    assert.equal(roleForContribPermission('serial.read'), 'viewer');
    assert.equal(roleForContribPermission('inject.write'), 'operator');
    assert.equal(roleForContribPermission('debug.write'), 'operator');
    assert.equal(roleForContribPermission('modbus.write'), 'editor');
    assert.equal(roleForContribPermission('anything'), 'editor');
    assert.equal(roleForContribPermission('read'), 'editor', 'a bare verb names no area; it is not a read');
  });

  it('lets each role through to the routes its permission allows, refuses (403, audited) the rest, and 401s without a token', async () => {
    for (const route of ROUTES) {
      const anonymous = await t.call(route.method, route.path);
      assert.equal(anonymous.status, 401, `${route.method} ${route.path} without a token`);
      assert.doesNotMatch(anonymous.text, new RegExp(route.body), 'nothing of the answer leaks');
      for (const role of ROLES) {
        const before = t.stack.audit.list({ event: 'request.refused', limit: 1000 }).length;
        const res = await t.call(route.method, route.path, { role, body: {} });
        const label = `${route.method} ${route.path} as ${role}: ${res.status} ${res.text.slice(0, 200)}`;
        if (roleRank(role) >= roleRank(route.min)) {
          assert.equal(res.status, 200, label);
          assert.match(res.text, new RegExp(route.body), label);
        } else {
          assert.equal(res.status, 403, label);
          assert.equal(res.json().code, 'forbidden', label);
          assert.doesNotMatch(res.text, new RegExp(route.body), label);
          const records = t.stack.audit.list({ event: 'request.refused', limit: 1000 });
          assert.equal(records.length, before + 1, label);
          assert.equal(records.at(-1)!.username, role);
        }
      }
    }
  });

  it('refuses a token in the query string on these routes too', async () => {
    const res = await t.call('GET', `/thing/ports?access_token=${t.tokens.admin}`);
    assert.equal(res.status, 401);
  });
});
