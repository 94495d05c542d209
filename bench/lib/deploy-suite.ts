import { probePath, withProbe } from '../flows/http-bench.js';
import { largeFlow, withOneNodeModified } from '../flows/large-flow.js';
import type { BenchNode } from '../flows/nodes.js';
import type { Budget } from './budget.js';
import { noteProblems } from './message-suite.js';
import { createCollector, MB, type BenchmarkResult } from './results.js';
import { RuntimeUnavailable, type RuntimeKind, type ServerChild } from './server-child.js';
import { launch, orderFor, type RuntimeSetup } from './runtimes.js';
import type { DeploymentType } from './admin-client.js';

export interface DeploySuiteOptions {
  rounds: number;
  deployTimeoutMs: number;
  budget: Budget;
  kinds: RuntimeKind[];
}

type Add = (metric: string, unit: string, kind: 'time' | 'memory', v: number | null) => void;

interface Step {
  /** POST /flows sent to response received. */
  postMs: number;
  /** POST /flows sent to the probe endpoint answering: the deployed flows serve. */
  servingMs: number;
  cpuMs: number;
}

/** One deploy through the Admin API, timed until the flows' probe endpoint answers. */
async function deployStep(child: ServerChild, flows: BenchNode[], type: DeploymentType, probe: string, timeoutMs: number): Promise<Step> {
  const cpu0 = child.cpu();
  const t0 = performance.now();
  const post = await child.admin.deploy(flows, type, timeoutMs);
  await child.admin.waitFor(probe, timeoutMs);
  const servingMs = performance.now() - t0;
  return { postMs: post.ms, servingMs, cpuMs: (child.cpu() - cpu0) * 1000 };
}

/**
 * A fresh server per runtime per round, through `POST /flows`: a full deploy of the generated
 * flows, a 'nodes' and a 'flows' redeploy each with one change node modified (and the probe's
 * path, so the probe restarts too), then a full redeploy of the same flows. Each step is timed
 * until the probe endpoint on the last tab answers.
 */
async function deployRound(child: ServerChild, size: number, round: number, timeoutMs: number, add: Add, note: (text: string) => void): Promise<void> {
  const base = largeFlow(size);
  const idle = await child.mem();
  const fullProbe = probePath(`r${round}-full`);
  const full = await deployStep(child, withProbe(base, fullProbe), 'full', fullProbe, timeoutMs);
  noteProblems(child, 'full deploy', note);
  add('POST /flows round trip, full', 'ms', 'time', full.postMs);
  add('full deploy, until serving', 'ms', 'time', full.servingMs);
  add('full deploy CPU', 'ms', 'time', full.cpuMs);
  const after = await child.mem();

  const nodesProbe = probePath(`r${round}-nodes`);
  const nodes = await deployStep(child, withProbe(withOneNodeModified(base, round * 2 + 1), nodesProbe), 'nodes', nodesProbe, timeoutMs);
  noteProblems(child, 'nodes deploy', note);
  add("redeploy 'nodes', 1 node modified", 'ms', 'time', nodes.servingMs);

  const flowsProbe = probePath(`r${round}-flows`);
  const modified = withProbe(withOneNodeModified(base, round * 2 + 2), flowsProbe);
  const flowsType = await deployStep(child, modified, 'flows', flowsProbe, timeoutMs);
  noteProblems(child, 'flows deploy', note);
  add("redeploy 'flows', 1 node modified", 'ms', 'time', flowsType.servingMs);

  const again = await deployStep(child, modified, 'full', flowsProbe, timeoutMs);
  noteProblems(child, 'full redeploy', note);
  add('full redeploy, same flows', 'ms', 'time', again.servingMs);
  add('full redeploy CPU', 'ms', 'time', again.cpuMs);

  add('RSS after deploy, after GC', 'MB', 'memory', after.rss / MB);
  add('heap used after deploy', 'MB', 'memory', after.heapUsed / MB);
  add('RSS added by the flows', 'MB', 'memory', (after.rss - idle.rss) / MB);
  const peak = child.peakRss();
  add('peak RSS', 'MB', 'memory', peak === null ? null : peak / MB);
}

export async function runDeployBench(size: number, setup: RuntimeSetup, options: DeploySuiteOptions): Promise<BenchmarkResult> {
  const c = createCollector(`deploy-${size}`, `deploy of a ${size.toLocaleString('en-US')}-node flow (${largeFlow(size).filter((n) => n.type === 'tab').length} tabs) through POST /flows`);
  const skip = new Set<RuntimeKind>();
  for (let round = 0; round < options.rounds && !options.budget.spent(); round++) {
    for (const kind of orderFor(round, options.kinds)) {
      if (skip.has(kind)) continue;
      let child: ServerChild | undefined;
      try {
        child = await launch(kind, setup);
        await deployRound(child, size, round, options.deployTimeoutMs, (metric, unit, k, v) => c.add(metric, unit, k, kind, v), (t) => c.note(t));
      } catch (err) {
        if (err instanceof RuntimeUnavailable) {
          skip.add(kind);
          c.note(err.message);
        } else {
          c.note(`${kind} round ${round} failed: ${(err as Error).message.split('\n')[0]}`);
          if (process.env.BENCH_DEBUG) console.error(err);
        }
      } finally {
        await child?.close();
      }
    }
  }
  return c.result();
}
