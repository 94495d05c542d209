/**
 * Issue 2, point 10: the example flows shipped with Node-RED (@node-red/nodes/examples) load in
 * Redoubt and give the same debug output as in Node-RED 4.1.
 *
 * Node-RED 4.1 is installed into .cache/node-red-4.1 on first use (bench/lib/node-red-install.ts);
 * without a registry the whole suite is skipped with the reason. Both runtimes play every example
 * in child processes (node-red-child.cjs, redoubt-child.ts) before the tests run; each test then
 * compares one example's normalised output (normalise.ts says what is compared and what is
 * masked).
 *
 * EXAMPLES_ONLY=<text> plays only examples whose name contains <text>;
 * EXAMPLES_LANES=<n> sets the child processes per runtime (default 3).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeRedForTests, type NodeRedInstall } from '../../bench/lib/node-red-install.js';
import { examplesDirOf, listExamples, type Example } from './catalogue.js';
import { difference } from './normalise.js';
import { playAll, type RunResult } from './play.js';
import { startRuntimeProcess, type RuntimeKind, type RuntimeProcess } from './runtime-process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = join(root, '.cache');

const found = nodeRedForTests(cacheDir);
const install: NodeRedInstall | undefined = found.install;
const installError = found.install ? '' : found.error;

const only = process.env.EXAMPLES_ONLY ?? '';
const laneCount = Math.max(1, Number(process.env.EXAMPLES_LANES ?? 3) || 3);

type Verdict = { name: string; verdict: 'pass' | 'fail' | 'skip'; detail?: string };

function firstLines(lines: string[], max = 8): string {
  const shown = lines.slice(0, max).map((l) => `    ${l.length > 900 ? l.slice(0, 900) + '...' : l}`);
  if (lines.length > max) shown.push(`    ... and ${lines.length - max} more`);
  return shown.join('\n');
}

/** Why Redoubt's run cannot be compared at all, or nothing. */
function cannotCompare(kind: string, r: RunResult | undefined): string | undefined {
  if (!r) return `${kind} did not play it`;
  if (r.error) return `${kind} failed to play it: ${r.error.split('\n')[0]}`;
  if (r.deployError) return `${kind} refused the deploy: ${r.deployError.slice(0, 600)}`;
  if (r.missingTypes.length > 0) return `${kind} lacks node types: ${r.missingTypes.join(', ')}`;
  return undefined;
}

if (!install) {
  describe('Node-RED example flows', () => {
    it(`are skipped: Node-RED 4.1 could not be installed into ${join(cacheDir, 'node-red-4.1')} (${installError})`, { skip: true }, () => {});
  });
} else {
  const nodeRed = install;
  const examples = listExamples(examplesDirOf(nodeRed.packageDir));
  const playable = examples.filter((ex) => !ex.skip && ex.name.includes(only));
  const verdicts: Verdict[] = [];

  describe(`Node-RED ${nodeRed.version} example flows give the same output in Redoubt`, () => {
    const processes: RuntimeProcess[] = [];
    const startErrors = new Map<RuntimeKind, string>();
    let results = new Map<string, Map<string, RunResult>>();

    before(
      async () => {
        if (playable.length === 0) return;
        const lanes = Math.min(laneCount, playable.length);
        const start = async (kind: RuntimeKind): Promise<RuntimeProcess[]> => {
          const started = await Promise.allSettled(
            Array.from({ length: lanes }, () => startRuntimeProcess(kind, { nodeRedPackageDir: nodeRed.packageDir, cwd: root })),
          );
          const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
          processes.push(...ok);
          const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
          if (failed) {
            startErrors.set(kind, failed.reason instanceof Error ? failed.reason.message.split('\n')[0]! : String(failed.reason));
            await Promise.all(ok.map((p) => p.close()));
            return [];
          }
          return ok;
        };
        const [red, redoubt] = await Promise.all([start('node-red'), start('redoubt')]);
        results = await playAll(playable, [red, redoubt]);
      },
      { timeout: 290000 },
    );

    after(async () => {
      await Promise.all(processes.map((p) => p.close()));
      const count = (v: Verdict['verdict']) => verdicts.filter((x) => x.verdict === v).length;
      const summary = `examples: ${count('pass')} pass, ${count('fail')} fail, ${count('skip')} skipped`;
      console.log(summary);
      // A machine-readable copy for node owners; .cache is not versioned.
      mkdirSync(cacheDir, { recursive: true });
      writeFileSync(join(cacheDir, 'examples-report.json'), JSON.stringify({ nodeRed: nodeRed.version, summary, verdicts }, null, 2) + '\n');
    });

    for (const ex of examples) {
      if (ex.skip) {
        verdicts.push({ name: ex.name, verdict: 'skip', detail: ex.skip });
        it(ex.name, { skip: ex.skip }, () => {});
        continue;
      }
      if (!ex.name.includes(only)) {
        it(ex.name, { skip: `not selected by EXAMPLES_ONLY=${only}` }, () => {});
        continue;
      }
      it(ex.shapeOnly ? `${ex.name} (shape only: ${ex.shapeOnly})` : ex.name, () => compare(ex));
    }

    function compare(ex: Example): void {
      const fail = (detail: string): never => {
        verdicts.push({ name: ex.name, verdict: 'fail', detail });
        assert.fail(`${ex.name}: ${detail}`);
      };
      const redErr = startErrors.get('node-red');
      if (redErr) fail(`Node-RED could not start: ${redErr}`);
      const rdErr = startErrors.get('redoubt');
      if (rdErr) fail(`Redoubt could not start: ${rdErr}`);
      const byKind = results.get(ex.name);
      const red = byKind?.get('node-red');
      const redoubt = byKind?.get('redoubt');
      const redProblem = cannotCompare('Node-RED', red);
      if (redProblem) fail(`harness problem, ${redProblem}`);
      const rdProblem = cannotCompare('Redoubt', redoubt);
      if (rdProblem) fail(rdProblem);
      const pick = (r: RunResult): string[] => {
        const lines = r.observations.map((o) => (ex.shapeOnly ? o.shape : o.line));
        return (ex.distinctOnly ? [...new Set(lines)] : lines).sort();
      };
      const expected = pick(red!);
      const actual = pick(redoubt!);
      const d = difference(expected, actual);
      if (d.missing.length > 0 || d.unexpected.length > 0) {
        const parts = [`output differs from Node-RED ${nodeRed.version}`];
        if (d.missing.length > 0) parts.push(`  only in Node-RED:\n${firstLines(d.missing)}`);
        if (d.unexpected.length > 0) parts.push(`  only in Redoubt:\n${firstLines(d.unexpected)}`);
        if (ex.shapeOnly) {
          // The shapes say little about the cause; show the full lines too.
          const full = difference(red!.observations.map((o) => o.line), redoubt!.observations.map((o) => o.line));
          parts.push(`  full lines only in Node-RED:\n${firstLines(full.missing, 4)}\n  full lines only in Redoubt:\n${firstLines(full.unexpected, 4)}`);
        }
        verdicts.push({ name: ex.name, verdict: 'fail', detail: parts.join('\n') });
      } else {
        verdicts.push({ name: ex.name, verdict: 'pass', detail: `${expected.length} observations alike` });
      }
      assert.deepEqual(actual, expected, `${ex.name}: Redoubt's output differs from Node-RED ${nodeRed.version}\n${verdicts.at(-1)?.detail ?? ''}`);
    }
  });
}
