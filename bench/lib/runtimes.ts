import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeUnavailable, startRuntime, type RuntimeChild, type RuntimeKind } from './runtime-child.js';

export interface RuntimeSetup {
  root: string;
  nodeRedPackageDir: string;
  ticksPerSecond: number;
}

/** Starts one runtime in its own child process; both get --expose-gc so `mem` can force a GC. */
export function launch(kind: RuntimeKind, setup: RuntimeSetup, readyTimeoutMs = 120000): Promise<RuntimeChild> {
  const drivers = join(setup.root, 'bench', 'drivers');
  // BENCH_NODE_ARGS adds node flags to both children, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args =
    kind === 'node-red'
      ? [...extra, '--expose-gc', join(drivers, 'node-red-driver.cjs'), setup.nodeRedPackageDir]
      : [...extra, '--import', 'tsx', '--expose-gc', join(drivers, 'redoubt-driver.ts')];
  if (kind === 'redoubt' && !existsSync(join(setup.root, 'src', 'index.ts'))) {
    return Promise.reject(new RuntimeUnavailable('redoubt', 'src/index.ts does not exist'));
  }
  return startRuntime({ kind, args, cwd: setup.root, ticksPerSecond: setup.ticksPerSecond, readyTimeoutMs });
}

/** Alternates which runtime goes first from round to round, so neither always runs on a warmer machine. */
export function orderFor(round: number, kinds: RuntimeKind[]): RuntimeKind[] {
  return round % 2 === 0 ? kinds : [...kinds].reverse();
}
