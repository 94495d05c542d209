/**
 * The bundle is built without keepNames, so an error class keeps its name only while the bundler
 * does not rename it over a clash; scripts/bundle.mjs refuses such a build.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
type Metafile = { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
type Check = (metafile: Metafile, outdir: string, root: string) => void;

describe('the bundle build check of error class names', () => {
  it('fails naming the class when the bundler renamed one of ours, and passes a rename of a dependency\'s', async () => {
    const { checkErrorNames } = (await import(join(ROOT, 'scripts', 'bundle.mjs'))) as { checkErrorNames: Check };
    const root = await mkdtemp(join(tmpdir(), 'redoubt-error-names-'));
    try {
      await mkdir(join(root, 'src'));
      await mkdir(join(root, 'out'));
      await writeFile(join(root, 'src', 'errors.ts'), 'export class PermissionError extends Error {}\n');
      const metafile = { inputs: { 'src/errors.ts': {}, 'node_modules/yaml/errors.js': {} }, outputs: { 'out/main.js': {}, 'out/main.js.map': {} } };
      await writeFile(join(root, 'out', 'main.js'), 'var PermissionError=class extends Error{},YAMLParseError2=class extends Error{};');
      assert.doesNotThrow(() => checkErrorNames(metafile, join(root, 'out'), root));
      await writeFile(join(root, 'out', 'main.js'), 'var PermissionError2=class extends Error{};');
      assert.throws(() => checkErrorNames(metafile, join(root, 'out'), root), /renamed error class PermissionError to PermissionError2 in main\.js/);
      await writeFile(join(root, 'out', 'main.js'), 'class PermissionError3 extends Error{}');
      assert.throws(() => checkErrorNames(metafile, join(root, 'out'), root), /renamed error class PermissionError to PermissionError3/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
