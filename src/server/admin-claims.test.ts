import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express, { Router } from 'express';
import { createAdminClaims } from './admin-claims.js';

function fakeClock(start = 1000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** An app shaped like the server's: a guard, the admin router (with a nested router) at `root`, then other routes. */
function appWithAdmin(root: string) {
  const app = express();
  app.use((_req, _res, next) => next());
  const admin = Router();
  admin.use((_req, _res, next) => next());
  admin.get('/flows', (_req, res) => void res.end());
  admin.post('/flows', (_req, res) => void res.end());
  const nested = Router();
  nested.delete('/flow/:id', (_req, res) => void res.end());
  admin.use(nested);
  app.use(root, admin);
  app.get('/after', (_req, res) => void res.end());
  return { app, admin };
}

describe('createAdminClaims', () => {
  let editorDir: string;
  before(async () => {
    editorDir = await mkdtemp(join(tmpdir(), 'admin-claims-'));
    await mkdir(join(editorDir, 'red'));
    await writeFile(join(editorDir, 'index.html'), 'index');
    await writeFile(join(editorDir, 'red', 'main.js'), 'js');
  });
  after(() => rm(editorDir, { recursive: true, force: true }));

  it('claims the admin routes by method and path, nested routers included, HEAD with GET', () => {
    const { app, admin } = appWithAdmin('/');
    const claims = createAdminClaims({ editorDir }, { app, admin, clock: fakeClock() });
    assert.equal(claims('GET', '/flows'), true);
    assert.equal(claims('HEAD', '/flows'), true);
    assert.equal(claims('POST', '/FLOWS/'), true);
    assert.equal(claims('PATCH', '/flows'), false);
    assert.equal(claims('DELETE', '/flow/abc'), true);
    assert.equal(claims('GET', '/flow/abc'), false);
    assert.equal(claims('GET', '/after'), false, 'routes after the admin router are not the admin side');
  });

  it('claims editor files for GET and HEAD only, a folder through its index', () => {
    const { app, admin } = appWithAdmin('/');
    const claims = createAdminClaims({ editorDir }, { app, admin, clock: fakeClock() });
    assert.equal(claims('GET', '/red/main.js'), true);
    assert.equal(claims('HEAD', '/red/main.js'), true);
    assert.equal(claims('POST', '/red/main.js'), false);
    assert.equal(claims('GET', '/'), true);
    assert.equal(claims('GET', '/red'), false);
    assert.equal(claims('GET', '/red/other.js'), false);
  });

  it('leaves traversal attempts to the static handler, which refuses them', () => {
    const { app, admin } = appWithAdmin('/');
    const claims = createAdminClaims({ editorDir }, { app, admin, clock: fakeClock() });
    assert.equal(claims('GET', '/red/..%2f..%2fetc%2fpasswd'), true);
    assert.equal(claims('GET', '/%E0%A4%A'), true);
  });

  it('claims nothing outside httpAdminRoot, and strips the root before matching', () => {
    const { app, admin } = appWithAdmin('/admin/');
    const claims = createAdminClaims({ editorDir }, { app, admin, clock: fakeClock() });
    assert.equal(claims('GET', '/flows'), false);
    assert.equal(claims('GET', '/admin/flows'), true);
    assert.equal(claims('GET', '/Admin/red/main.js'), true);
    assert.equal(claims('GET', '/adminx/flows'), false);
  });

  it('remembers an answer about a file for rememberMs, then looks again', async () => {
    const { app, admin } = appWithAdmin('/');
    const clock = fakeClock();
    const claims = createAdminClaims({ editorDir, rememberMs: 5000 }, { app, admin, clock });
    assert.equal(claims('GET', '/late.js'), false);
    await writeFile(join(editorDir, 'late.js'), 'late');
    assert.equal(claims('GET', '/late.js'), false);
    clock.advance(5001);
    assert.equal(claims('GET', '/late.js'), true);
  });

  it('claims everything when the app does not hold the admin router where expected', () => {
    const { app } = appWithAdmin('/');
    const claims = createAdminClaims({ editorDir }, { app, admin: Router(), clock: fakeClock() });
    assert.equal(claims('GET', '/anything'), true);
  });
});
