/** Helpers for the import tests: Node-RED-style files made without Node-RED, and directory checksums. */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Encrypts as Node-RED writes flows_cred.json: AES-256-CTR, key SHA-256(secret), hex IV in front of base64. */
export function encryptLikeNodeRed(credentials: unknown, secret: string): { $: string } {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(secret).digest(), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
  return { $: iv.toString('hex') + data.toString('base64') };
}

/** SHA-256 over every file's relative path, mode and bytes, and every directory's path, in sorted order. */
export function checksumDir(root: string): string {
  const hash = createHash('sha256');
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const info = statSync(full);
      const rel = relative(root, full);
      if (info.isDirectory()) {
        hash.update(`d ${rel}\n`);
        visit(full);
      } else {
        hash.update(`f ${rel} ${info.mode.toString(8)} ${info.size}\n`);
        hash.update(readFileSync(full));
      }
    }
  };
  visit(root);
  return hash.digest('hex');
}
