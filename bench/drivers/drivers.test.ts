import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chainBench } from '../flows/chain.js';
import { verifyMarker } from '../lib/message-suite.js';
import type { RuntimeChild } from '../lib/runtime-child.js';
import { launch } from '../lib/runtimes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const nodeRedPackageDir = join(root, '.cache', 'node-red-4.1', 'node_modules', 'node-red');
const installed = existsSync(join(nodeRedPackageDir, 'package.json'));

// Needs Node-RED in the cache folder (npm run bench installs it); skipped otherwise.
describe('node-red driver', { skip: installed ? false : 'node-red 4.1 not installed in .cache/' }, () => {
  let child: RuntimeChild;
  before(async () => {
    child = await launch('node-red', { root, nodeRedPackageDir, ticksPerSecond: 100 });
  });
  after(async () => {
    await child?.close();
  });

  it('runs the chain flow and returns the completion marker with the right result', async () => {
    const bench = chainBench(200);
    const deployed = await child.request({ cmd: 'deploy', flows: bench.build('w', false), type: 'full' });
    assert.equal(deployed.ok, true, deployed.error);
    const reply = await child.request({ cmd: 'run', flows: bench.build('tok-a', true), type: 'nodes', token: 'tok-a', timeoutMs: 20000 });
    assert.equal(reply.ok, true, reply.error);
    assert.equal(verifyMarker(bench, 'tok-a', reply.marker), null);
    assert.ok(typeof reply.ms === 'number' && reply.ms >= 0);
  });

  it('fails a deploy whose node types are missing instead of timing out', async () => {
    const flows = [{ id: 'tb', type: 'tab', label: 'x' }, { id: 'n1', type: 'no-such-type', z: 'tb', wires: [] }];
    const reply = await child.request({ cmd: 'deploy', flows, type: 'full', timeoutMs: 60000 });
    assert.equal(reply.ok, false);
    assert.match(reply.error ?? '', /missing types/);
  });

  it('reports memory after a forced GC', async () => {
    const reply = await child.request({ cmd: 'mem' });
    assert.equal(reply.ok, true);
    assert.ok((reply.mem?.rss ?? 0) > (reply.mem?.heapUsed ?? Infinity));
  });
});
