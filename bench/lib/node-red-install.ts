import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface NodeRedInstall {
  /** Directory of the node-red package, to require() from the driver. */
  packageDir: string;
  version: string;
}

/**
 * Node-RED 4.1 from npm in a cache folder, installed on first use. The only network traffic of
 * the benchmark is this npm install.
 */
export function ensureNodeRed(cacheRoot: string, spec = 'node-red@4.1'): NodeRedInstall {
  const prefix = join(cacheRoot, 'node-red-4.1');
  const packageDir = join(prefix, 'node_modules', 'node-red');
  const manifest = join(packageDir, 'package.json');
  if (!existsSync(manifest)) {
    // Installed into a folder of this process's own, then renamed into place in one step: test
    // files running in parallel may both find Node-RED missing, and neither may see a half install.
    mkdirSync(cacheRoot, { recursive: true });
    const staging = join(cacheRoot, `node-red-4.1.installing-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    console.log(`installing ${spec} into ${prefix} ...`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['install', '--prefix', staging, '--no-audit', '--no-fund', '--omit=dev', spec], {
      stdio: 'inherit',
    });
    if (result.status !== 0 || !existsSync(join(staging, 'node_modules', 'node-red', 'package.json'))) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(`npm install ${spec} into ${prefix} failed (exit ${result.status ?? result.signal})`);
    }
    try {
      renameSync(staging, prefix);
    } catch (err) {
      // Another process finished first: keep its install, drop ours.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(manifest)) throw err;
    }
  }
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  if (!version.startsWith('4.1.')) {
    throw new Error(`${packageDir} holds node-red ${version}, expected 4.1.x: delete ${prefix} to reinstall`);
  }
  return { packageDir, version };
}

/**
 * For tests that compare with Node-RED: the install, or why there is none (no registry, say), so
 * that the test can skip and say why instead of failing.
 */
export function nodeRedForTests(cacheRoot: string): { install: NodeRedInstall } | { install: undefined; error: string } {
  try {
    return { install: ensureNodeRed(cacheRoot) };
  } catch (err) {
    return { install: undefined, error: err instanceof Error ? err.message : String(err) };
  }
}
