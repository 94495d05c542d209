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
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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
    // Whitespace and syntax only: identifiers stay as written, so stack traces read as in the
    // source (and the .map file maps positions back with `node --enable-source-maps`).
    minifyWhitespace: true,
    minifySyntax: true,
    // No keepNames: it wraps every function and class in a `__name()` call that redefines `name`
    // whenever the closure is made, per node at deploy and per message in some paths. Without it
    // idle RSS was 1.6 MB lower and the heap 0.9 MB (bench startup, A/B of two builds, 28 Nov).
    // The one name that matters, an error class's (`this.name = new.target.name`), survives
    // unless the bundler renames the class over a clash; checkErrorNames() refuses that build.
    keepNames: false,
    metafile: true,
    sourcemap: 'external',
    legalComments: 'linked',
    // CommonJS dependencies inside an ES module bundle call `require` for Node's built-ins.
    banner: { js: "import { createRequire as __redoubtCreateRequire } from 'node:module'; const require = __redoubtCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  checkErrorNames(result.metafile, outdir);
  cpSync(join(ROOT, 'src', 'security', 'sandbox', 'isolate'), join(outdir, 'isolate'), { recursive: true });
  return { outdir, main: join(outdir, 'main.js'), warnings: result.warnings.length };
}

/**
 * Redoubt's error classes name themselves after their class (`new.target.name`, in
 * src/errors/index.ts), which users read in logs and which function.ts matches on. The bundler
 * renames a top-level class whose name clashes with another module's (`ValidationError2`), and
 * without keepNames the class's `name` would follow: fail the build instead, naming the class.
 */
export function checkErrorNames(metafile, outdir, root = ROOT) {
  const ours = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    if (!input.startsWith('src/')) continue;
    for (const m of readFileSync(join(root, input), 'utf8').matchAll(/\bclass (\w+Error)\b/g)) ours.add(m[1]);
  }
  for (const output of Object.keys(metafile.outputs)) {
    if (!output.endsWith('.js')) continue;
    const text = readFileSync(join(root, output), 'utf8');
    // Both forms the bundler writes a class in: `var X2=class ...` and `class X2 ...`.
    for (const m of text.matchAll(/(?:\bclass\s+([A-Za-z_$][\w$]*Error)(\d+)\b(?!=)|\b([A-Za-z_$][\w$]*Error)(\d+)=class\b)/g)) {
      const name = m[1] ?? m[3];
      const suffix = m[2] ?? m[4];
      if (ours.has(name)) {
        throw new Error(`the bundler renamed error class ${name} to ${name}${suffix} in ${relative(outdir, join(root, output))}, so its err.name would read ${name}${suffix}: rename one of the clashing ${name} classes`);
      }
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outdir = process.argv[2] ? resolve(process.argv[2]) : undefined;
  bundleRedoubt(outdir).catch((err) => {
    console.error(`bundle failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
