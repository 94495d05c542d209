import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createCollector } from './results.js';
import { launchFloor, runtimeSetup } from './runtimes.js';
import { targetChecks } from './targets.js';

// The floor servers are measured through the same harness as the runtimes: the harness's login,
// its authentication check and its memory reading must all work on them, or the startup suite
// would report nothing for them.
describe('floor servers', () => {
  const setup = runtimeSetup(process.cwd(), '/nonexistent');

  for (const kind of ['floor-http', 'floor', 'floor-express'] as const) {
    it(`${kind}: refuses GET /settings without a token and a wrong password, logs in, audits, reports memory`, async () => {
      const child = await launchFloor(kind, setup);
      const userDir = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').find((a) => a.includes(`bench-${kind}-`)) as string;
      try {
        assert.equal(await child.admin.probe('/settings'), 401);
        const wrong = await fetch(`${child.admin.baseUrl}/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: 'bench', password: 'wrong' }),
        });
        assert.equal(wrong.status, 401);
        assert.equal(((await wrong.json()) as { access_token?: string }).access_token, undefined);
        const settings = await child.admin.getJson('/settings');
        assert.equal(settings.status, 200, 'the harness logged in while starting it');
        const mem = await child.mem();
        assert.ok(mem.rss > 20 * 1024 * 1024 && mem.rss < 500 * 1024 * 1024, `rss ${mem.rss}`);
        assert.ok(mem.anonRss !== null && mem.anonRss < mem.rss);
        assert.equal(existsSync(`${userDir}/audit.db`), kind !== 'floor-http', 'the audit database is in its user directory, but for floor-http');
      } finally {
        await child.close();
      }
      assert.equal(existsSync(userDir), false, 'close removes its user directory');
    });
  }

  it('the idle target names the floor ratios beside the runtime ratio', () => {
    const c = createCollector('startup', 'startup');
    c.add('idle RSS, after GC', 'MB', 'memory', 'node-red', 100);
    c.add('idle RSS, after GC', 'MB', 'memory', 'redoubt', 60);
    const startup = { ...c.result(), floors: [{ kind: 'floor', holds: 'x', rss: 52, anonRss: 10, heapUsed: 4, ratio: 0.52, samples: [52] }] };
    const idle = targetChecks([startup]).find((t) => t.target.startsWith('idle memory'));
    assert.equal(idle?.met, false);
    assert.match(idle?.measured ?? '', /0\.60x \(idle RSS, after GC\); servers with no flow engine: 0\.52x \(floor\)/);
  });
});
