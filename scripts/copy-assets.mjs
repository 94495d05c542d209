// tsc compiles TypeScript only; the sandbox's in-isolate scripts are plain JS read at run time.
import { cpSync, existsSync } from 'node:fs';

const assets = [['src/security/sandbox/isolate', 'dist/security/sandbox/isolate']];
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
