import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chainBench } from '../flows/chain.js';
import { HTTP_BENCH_BODY, HTTP_BENCH_PATH, httpBenchFlow, probePath, withProbe } from '../flows/http-bench.js';
import { verifyMarker } from '../lib/message-suite.js';
import { load, loadMetrics } from '../lib/http-suite.js';
import type { RuntimeKind, ServerChild } from '../lib/server-child.js';
import { bcryptHashOf, benchCredentials, REDOUBT_MAIN, redoubtHasAllowList } from '../lib/server-setup.js';
import { launch } from '../lib/runtimes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const nodeRedPackageDir = join(root, '.cache', 'node-red-4.1', 'node_modules', 'node-red');
const skipOf: Record<RuntimeKind, string | false> = {
  'node-red': existsSync(join(nodeRedPackageDir, 'package.json')) ? false : 'node-red 4.1 not installed in .cache/ (npm run bench installs it)',
  redoubt: existsSync(join(root, ...REDOUBT_MAIN)) ? false : 'dist/ not built (npm run build)',
};
const credentials = benchCredentials();
const setup = { root, nodeRedPackageDir, ticksPerSecond: 100, credentials, bcryptHash: bcryptHashOf(credentials.password), allowList: redoubtHasAllowList(root) };

// Starts real servers: needs Node-RED in .cache/ and Redoubt built; not part of npm test.
for (const kind of ['node-red', 'redoubt'] as const) {
  describe(`${kind} as a benchmark server`, { skip: skipOf[kind] }, () => {
    let child: ServerChild;
    before(async () => {
      child = await launch(kind, setup);
    });
    after(async () => {
      await child?.close();
    });

    it('starts with authentication on and logs in through POST /auth/token', async () => {
      assert.ok(child.startupMs > 0 && child.readyMs >= child.startupMs);
      assert.equal(await child.admin.probe('/flows'), 401);
      const flows = await child.admin.getJson('/flows');
      assert.equal(flows.status, 200);
    });

    it('deploys through POST /flows and reads the completion marker from the console', async () => {
      const bench = chainBench(200);
      await child.admin.deploy(bench.build('w', false), 'full', 30000);
      const wait = child.waitMarker('tok-a', 20000);
      await child.admin.deploy(bench.build('tok-a', true), 'nodes', 30000);
      const marker = await wait;
      assert.equal(verifyMarker(bench, 'tok-a', marker.text), null);
    });

    it('serves the http bench flow and a probe, and counts the load', async () => {
      const probe = probePath('t1');
      await child.admin.deploy(withProbe(httpBenchFlow(), probe), 'full', 30000);
      assert.equal(await child.admin.waitFor(probe, 10000), '{}');
      assert.equal(await child.admin.waitFor(HTTP_BENCH_PATH, 10000), HTTP_BENCH_BODY);
      const cpu0 = child.cpu();
      const m = loadMetrics(await load(`${child.admin.baseUrl}${HTTP_BENCH_PATH}`, 4, 1), child.cpu() - cpu0);
      assert.equal(m.failed, 0);
      assert.ok(m.requestsPerSecond > 0);
      assert.ok((m.cpuMicrosPerRequest ?? 0) > 0);
    });

    it('gives up on a probe that never answers instead of hanging', async () => {
      await assert.rejects(child.admin.waitFor('/no-such-probe', 300), /did not answer 200 within 300 ms \(last: status 40[14]\)/);
    });

    it('reports memory after a forced GC through the preload', async () => {
      const mem = await child.mem();
      assert.ok(mem.rss > mem.heapUsed);
      assert.ok((mem.peakRss ?? 0) >= mem.rss);
    });
  });
}
