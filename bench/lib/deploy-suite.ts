import { largeFlow, withOneNodeModified } from '../flows/large-flow.js';
import type { Budget } from './budget.js';
import { createCollector, MB, type BenchmarkResult } from './results.js';
import { RuntimeUnavailable, type Reply, type RuntimeChild, type RuntimeKind } from './runtime-child.js';
import { launch, orderFor, type RuntimeSetup } from './runtimes.js';

export interface DeploySuiteOptions {
  rounds: number;
  deployTimeoutMs: number;
  budget: Budget;
  kinds: RuntimeKind[];
}

function checkReply(kind: RuntimeKind, what: string, reply: Reply, note?: (text: string) => void): Reply {
  if (!reply.ok) throw new Error(`${kind} ${what}: ${reply.error}\n${(reply.log ?? []).join('\n')}`);
  const problems = reply.problemCount ?? reply.warnings?.length ?? 0;
  if (problems > 0) {
    note?.(`${kind}: ${problems} warnings/errors during ${what} (e.g. nodes that failed to start): its numbers are not comparable`);
    for (const w of (reply.warnings ?? []).slice(0, 2)) note?.(`${kind} logged during ${what}: ${w}`);
  }
  return reply;
}

/**
 * A fresh child per runtime per round: full deploy of the generated flows, a 'nodes' redeploy
 * and a 'flows' redeploy each with one node modified, then a full redeploy of the same flows.
 * Deploy time ends when the runtime reports the flows started.
 */
type Add = (metric: string, unit: string, kind: 'time' | 'memory', v: number | null) => void;

async function deployRound(child: RuntimeChild, size: number, round: number, timeoutMs: number, add: Add, note: (text: string) => void): Promise<void> {
  const kind = child.kind;
  const ensureOk = (k: RuntimeKind, what: string, reply: Reply): Reply => checkReply(k, what, reply, note);
  const flows = largeFlow(size);
  const idle = ensureOk(kind, 'mem', await child.request({ cmd: 'mem', timeoutMs: 10000 }));
  const cpu0 = child.cpu();
  const full = ensureOk(kind, 'full deploy', await child.request({ cmd: 'deploy', flows, type: 'full', timeoutMs }));
  const cpuFull = child.cpu() - cpu0;
  add('full deploy', 'ms', 'time', full.ms ?? null);
  add('full deploy CPU', 'ms', 'time', cpuFull * 1000);
  const after = ensureOk(kind, 'mem', await child.request({ cmd: 'mem', timeoutMs: 10000 }));
  const nodes = ensureOk(kind, 'nodes deploy', await child.request({ cmd: 'deploy', flows: withOneNodeModified(flows, round * 2 + 1), type: 'nodes', timeoutMs }));
  add("redeploy 'nodes', 1 node modified", 'ms', 'time', nodes.ms ?? null);
  const modified = withOneNodeModified(flows, round * 2 + 2);
  const flowsType = ensureOk(kind, 'flows deploy', await child.request({ cmd: 'deploy', flows: modified, type: 'flows', timeoutMs }));
  add("redeploy 'flows', 1 node modified", 'ms', 'time', flowsType.ms ?? null);
  const again = ensureOk(kind, 'full redeploy', await child.request({ cmd: 'deploy', flows: modified, type: 'full', timeoutMs }));
  add('full redeploy, same flows', 'ms', 'time', again.ms ?? null);
  if (after.mem && idle.mem) {
    add('RSS after deploy, after GC', 'MB', 'memory', after.mem.rss / MB);
    add('heap used after deploy', 'MB', 'memory', after.mem.heapUsed / MB);
    add('RSS added by the flows', 'MB', 'memory', (after.mem.rss - idle.mem.rss) / MB);
  }
  const peak = child.peakRss();
  add('peak RSS', 'MB', 'memory', peak === null ? null : peak / MB);
}

export async function runDeployBench(size: number, setup: RuntimeSetup, options: DeploySuiteOptions): Promise<BenchmarkResult> {
  const c = createCollector(`deploy-${size}`, `deploy of a ${size.toLocaleString('en-US')}-node flow (${largeFlow(size).filter((n) => n.type === 'tab').length} tabs)`);
  const skip = new Set<RuntimeKind>();
  for (let round = 0; round < options.rounds && !options.budget.spent(); round++) {
    for (const kind of orderFor(round, options.kinds)) {
      if (skip.has(kind)) continue;
      let child: RuntimeChild | undefined;
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
