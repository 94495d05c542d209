// Builds what `npm start` and the `redoubt` command run: one ES module bundle of src/cli/main.ts.
//
// Why a bundle and not tsc's file-per-module output: a gateway idles for months, and each of the
// ~400 modules the server loads at start (ours, express's dependency tree, yaml's 70 files, zod's
// locales) keeps its source text, module record and scope objects alive for the life of the
// process. One bundle with comments and whitespace dropped, and unused exports shaken out, took
// idle private memory from about 41 MB to about 27 MB (docs/PERFORMANCE.md, "Idle memory").
// Tests run src/ through tsx, which transpiles with the same esbuild; test/bundle/ starts this
// output as a server to keep the two honest.
//
//   node scripts/bundle.mjs [outdir]     (default dist/bundle)
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Kept out of the bundle and loaded from node_modules at run time:
 * - native addons, which cannot be bundled;
 * - iconv-lite, which loads its code-page tables only when a charset asks for them; bundled,
 *   all of them (about 1 MB of source) would be held from the start.
 */
const EXTERNAL = ['better-sqlite3', 'isolated-vm', 'iconv-lite'];

/**
 * The bundle must sit two folders below the repository root: start.ts and backup-command.ts find
 * package.json at `../..` from their own URL, and the sandbox reads its in-isolate scripts from
 * `./isolate/` next to its chunk.
 */
export async function bundleRedoubt(outdir = join(ROOT, 'dist', 'bundle')) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')],
    outdir,
    bundle: true,
    // The sandbox (and with it isolated-vm) stays a chunk of its own, loaded when the first
    // function node starts, as the dynamic import in function.ts intends.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: join(ROOT, 'tsconfig.build.json'),
    external: EXTERNAL,
    // Whitespace and syntax only: names stay, so stack traces and `err.name` read as in the source
    // (and the .map file maps positions back with `node --enable-source-maps`).
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    sourcemap: 'external',
    legalComments: 'linked',
    // CommonJS dependencies inside an ES module bundle call `require` for Node's built-ins.
    banner: { js: "import { createRequire as __redoubtCreateRequire } from 'node:module'; const require = __redoubtCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  cpSync(join(ROOT, 'src', 'security', 'sandbox', 'isolate'), join(outdir, 'isolate'), { recursive: true });
  return { outdir, main: join(outdir, 'main.js'), warnings: result.warnings.length };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outdir = process.argv[2] ? resolve(process.argv[2]) : undefined;
  bundleRedoubt(outdir).catch((err) => {
    console.error(`bundle failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
