/**
 * The flows of core-node-flows.ts played in Node-RED 4.1 and in Redoubt, with the example-flow
 * harness (test/examples/): each runtime in child processes, injects triggered in order, debug
 * output normalised (message ids, timestamps) and compared as a sorted list of lines.
 *
 * Node-RED 4.1 comes from the same .cache install as the examples; without a registry the suite
 * is skipped with the reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nodeRedForTests, type NodeRedInstall } from '../../bench/lib/node-red-install.js';
import { DEFAULT_WAIT_MS, type Example } from '../examples/catalogue.js';
import { difference } from '../examples/normalise.js';
import { playAll, type RunResult } from '../examples/play.js';
import { startRuntimeProcess, type RuntimeProcess } from '../examples/runtime-process.js';
import { CORE_NODE_FLOWS } from './core-node-flows.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

const found = nodeRedForTests(join(root, '.cache'));
const install: NodeRedInstall | undefined = found.install;
const installError = found.install ? '' : found.error;

if (!install) {
  describe('core-node flows in Node-RED 4.1 and Redoubt', () => {
    it(`are skipped: Node-RED 4.1 could not be installed into .cache/node-red-4.1 (${installError})`, { skip: true }, () => {});
  });
} else {
  const nodeRed = install;
  describe(`core-node flows give the same debug output in Node-RED ${nodeRed.version} and Redoubt`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdt-differential-'));
    const examples: Example[] = CORE_NODE_FLOWS.map(({ name, flows }) => {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(flows));
      return { name, file, group: 'differential', waitMs: DEFAULT_WAIT_MS };
    });
    const processes: RuntimeProcess[] = [];
    let results = new Map<string, Map<string, RunResult>>();

    before(
      async () => {
        const lanes = async (kind: 'node-red' | 'redoubt') => {
          const started = await Promise.all([0, 1].map(() => startRuntimeProcess(kind, { nodeRedPackageDir: nodeRed.packageDir, cwd: root })));
          processes.push(...started);
          return started;
        };
        const [red, redoubt] = await Promise.all([lanes('node-red'), lanes('redoubt')]);
        results = await playAll(examples, [red, redoubt]);
      },
      { timeout: 240000 },
    );

    after(async () => {
      await Promise.all(processes.map((p) => p.close()));
      rmSync(dir, { recursive: true, force: true });
    });

    for (const ex of examples) {
      it(ex.name, () => {
        const red = results.get(ex.name)?.get('node-red');
        const redoubt = results.get(ex.name)?.get('redoubt');
        for (const [who, r] of [['Node-RED', red], ['Redoubt', redoubt]] as const) {
          assert.ok(r, `${who} did not play it`);
          assert.equal(r.error, undefined, `${who} failed to play it`);
          assert.equal(r.deployError, undefined, `${who} refused the deploy`);
          assert.deepEqual(r.missingTypes, [], `${who} lacks node types`);
        }
        const expected = red!.observations.map((o) => o.line).sort();
        assert.ok(expected.length > 0, 'Node-RED showed nothing: the flow does not exercise the node');
        const actual = redoubt!.observations.map((o) => o.line).sort();
        assert.deepEqual(difference(expected, actual), { missing: [], unexpected: [] }, `${ex.name}: output differs from Node-RED's`);
      });
    }
  });
}
