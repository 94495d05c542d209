/**
 * One server, one large flow: a full deploy, then redeploys of it with one node modified, each
 * printed as `<POST ms>/<until serving ms>/<server CPU ms>`. For looking into the deploy
 * benchmark's medians (an A/B of two builds, a profile of one runtime). Not part of
 * `npm run bench`; it builds nothing, so run `npm run build` first.
 *
 *   node --import tsx bench/one-server-deploy.ts [redeploys] [nodes]
 *   KIND=node-red TYPE=flows node --import tsx bench/one-server-deploy.ts 8 10000
 *   BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node --import tsx bench/one-server-deploy.ts 12
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeploymentType } from './lib/admin-client.js';
import { probePath, withProbe } from './flows/http-bench.js';
import { largeFlow, withOneNodeModified } from './flows/large-flow.js';
import { ensureNodeRed } from './lib/node-red-install.js';
import { launch, runtimeSetup } from './lib/runtimes.js';
import type { RuntimeKind } from './lib/server-child.js';

const TYPES: readonly DeploymentType[] = ['full', 'flows', 'nodes'];

async function main(): Promise<void> {
  const [redeploysText = '8', sizeText = '10000'] = process.argv.slice(2);
  const redeploys = Number(redeploysText);
  const size = Number(sizeText);
  const type = (process.env.TYPE ?? 'nodes') as DeploymentType;
  if (!Number.isInteger(redeploys) || redeploys < 0 || !Number.isInteger(size) || size < 10 || !TYPES.includes(type)) {
    throw new Error(`usage: [TYPE=${TYPES.join('|')}] one-server-deploy.ts [redeploys] [nodes]; got ${redeploysText} ${sizeText} ${type}`);
  }
  const kind: RuntimeKind = process.env.KIND === 'node-red' ? 'node-red' : 'redoubt';
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const setup = runtimeSetup(root, ensureNodeRed(join(root, '.cache')).packageDir);
  const child = await launch(kind, setup);
  try {
    const base = largeFlow(size);
    const step = async (flows: ReturnType<typeof largeFlow>, deploymentType: DeploymentType, probe: string): Promise<string> => {
      const cpu0 = child.cpu();
      const t0 = performance.now();
      const post = await child.admin.deploy(withProbe(flows, probe), deploymentType, 120_000);
      await child.admin.waitFor(probe, 120_000);
      return `${post.ms.toFixed(0)}/${(performance.now() - t0).toFixed(0)}/${((child.cpu() - cpu0) * 1000).toFixed(0)}`;
    };
    const out = [`full ${await step(base, 'full', probePath('full'))}`];
    for (let i = 1; i <= redeploys; i++) out.push(await step(withOneNodeModified(base, i), type, probePath(`r${i}`)));
    console.log(`${kind}, ${size} nodes, then '${type}' redeploys (POST/serving/CPU ms): ${out.join(' ')}`);
  } finally {
    await child.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
