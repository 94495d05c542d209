/**
 * Plays examples on both runtimes: each example gets a fresh sandbox directory standing in for
 * /tmp, is deployed with a full deploy, has its inject nodes triggered, and its output is
 * collected and normalised. Examples are spread over a few lanes (one child process each) per
 * runtime so that the long ones (delays, triggers) overlap.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAUSE_MS, SETTLE_MS, type Example } from './catalogue.js';
import { nodeInfo, observe, type Observation } from './normalise.js';
import { prepareExample } from './prepare-flow.js';
import type { RuntimeProcess } from './runtime-process.js';

export interface RunResult {
  observations: Observation[];
  missingTypes: string[];
  deployError?: string;
  /** The run itself failed (child crashed, example unreadable). */
  error?: string;
}

/**
 * What every example finds in its /tmp: the `HG` folder the directory-watch example watches, and
 * a `hello.txt` as left by the write-file examples before it (the watch-a-file and delete-a-file
 * examples need one to act on). Both runtimes get the same.
 */
function makeSandbox(): string {
  // Same prefix and length for both runtimes: a path inside a message keeps its string length.
  const dir = mkdtempSync(join(tmpdir(), 'rdt-example-'));
  mkdirSync(join(dir, 'HG'));
  writeFileSync(join(dir, 'hello.txt'), 'Hello, World!\n');
  return dir;
}

export async function playExample(runtime: RuntimeProcess, example: Example): Promise<RunResult> {
  const sandbox = makeSandbox();
  try {
    const prepared = prepareExample(JSON.parse(readFileSync(example.file, 'utf8')), sandbox);
    const reply = await runtime.run({ flows: prepared.flows, injects: example.injectOrder ?? prepared.injects, settleMs: SETTLE_MS, pauseMs: PAUSE_MS, waitMs: example.waitMs });
    return {
      observations: observe(reply.entries, nodeInfo(prepared.flows), sandbox),
      missingTypes: reply.missingTypes,
      deployError: reply.deployError,
    };
  } catch (err) {
    return { observations: [], missingTypes: [], error: err instanceof Error ? err.message : String(err) };
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
}

/** Rough time an example takes, to balance lanes. */
function estimateMs(example: Example): number {
  return example.waitMs + SETTLE_MS + 400 + (example.injectOrder?.length ?? 1) * PAUSE_MS;
}

/**
 * Plays every example on every lane set: `lanes` holds, per runtime, its child processes.
 * Examples are dealt longest first to the lane with the least work, the same way for each
 * runtime; the result maps example name to runtime kind to result.
 */
export async function playAll(examples: readonly Example[], lanes: ReadonlyArray<readonly RuntimeProcess[]>): Promise<Map<string, Map<string, RunResult>>> {
  const results = new Map<string, Map<string, RunResult>>();
  for (const ex of examples) results.set(ex.name, new Map());
  const work: Promise<void>[] = [];
  for (const processes of lanes) {
    if (processes.length === 0) continue;
    const queues: Example[][] = processes.map(() => []);
    const load = processes.map(() => 0);
    for (const ex of [...examples].sort((a, b) => estimateMs(b) - estimateMs(a))) {
      const i = load.indexOf(Math.min(...load));
      queues[i]!.push(ex);
      load[i]! += estimateMs(ex);
    }
    processes.forEach((proc, i) => {
      work.push(
        (async () => {
          for (const ex of queues[i]!) results.get(ex.name)!.set(proc.kind, await playExample(proc, ex));
        })(),
      );
    });
  }
  await Promise.all(work);
  return results;
}
