/**
 * Watches the certificate and key files and hands a fresh secure context to the server when they
 * change (a renewed certificate takes effect for new connections without a restart). Changes are
 * found by comparing stat results (size, mtime, inode) on a poll, plus `fs.watch` on the folder to
 * look sooner; a pair that does not load (a renewal half written: new certificate, old key) keeps
 * the old context and is tried again at the next change or poll.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readTlsMaterial, type TlsFiles, type TlsMaterial } from './tls-material.js';

export interface TlsReloaderOptions extends TlsFiles {
  /** How often the files are stat'ed; default 10 s. */
  pollMs?: number;
}

export interface TlsReloaderDeps {
  /** Gets each new material, e.g. `(m) => server.setSecureContext({ cert: m.cert, key: m.key })`. */
  onReload: (material: TlsMaterial) => void;
  log: (level: 'info' | 'warn', message: string) => void;
}

export interface TlsReloader {
  /** Looks now; resolves true when a new pair was loaded. */
  check(): Promise<boolean>;
  close(): void;
}

async function signature(files: TlsFiles): Promise<string> {
  const paths = [files.certFile, files.keyFile, ...(files.caFile ? [files.caFile] : [])];
  const parts = await Promise.all(
    paths.map((path) =>
      stat(path).then(
        (s) => `${s.ino}:${s.size}:${s.mtimeMs}`,
        (err: NodeJS.ErrnoException) => `missing:${err.code ?? 'error'}`,
      ),
    ),
  );
  return parts.join('|');
}

type Pem = Pick<TlsMaterial, 'cert' | 'key' | 'ca'>;

/** The files as they are now, or undefined if one cannot be read (then any loadable pair is new). */
async function currentPem(files: TlsFiles): Promise<Pem | undefined> {
  try {
    const [cert, key, ca] = await Promise.all([readFile(files.certFile), readFile(files.keyFile), files.caFile ? readFile(files.caFile) : undefined]);
    return { cert, key, ca };
  } catch {
    return undefined;
  }
}

function samePem(a: Pem | undefined, b: Pem): boolean {
  return a !== undefined && a.cert.equals(b.cert) && a.key.equals(b.key) && (a.ca === undefined ? b.ca === undefined : b.ca !== undefined && a.ca.equals(b.ca));
}

/**
 * @example
 * const reloader = await createTlsReloader({ certFile, keyFile }, { onReload: (m) => server.setSecureContext(m), log });
 */
export async function createTlsReloader(options: TlsReloaderOptions, deps: TlsReloaderDeps): Promise<TlsReloader> {
  let seen = await signature(options);
  // A copy can change a file's stat twice (size, then mtime) with the same bytes in the end, so a
  // new signature reloads only when the contents differ from what is in use.
  let inUse = await currentPem(options);
  let failedAt = '';
  let running: Promise<boolean> | undefined;

  const look = async (): Promise<boolean> => {
    const now = await signature(options);
    if (now === seen || now === failedAt) return false;
    try {
      const material = await readTlsMaterial(options);
      seen = now;
      failedAt = '';
      if (samePem(inUse, material)) return false;
      inUse = material;
      deps.onReload(material);
      deps.log('info', `TLS certificate reloaded from ${options.certFile}`);
      return true;
    } catch (err) {
      failedAt = now;
      deps.log('warn', `TLS certificate not reloaded, the previous one stays in use: ${(err as Error).message}`);
      return false;
    }
  };
  const check = () => {
    // One look at a time; a call during a look waits for it, then looks again.
    const next = (running ?? Promise.resolve(false)).then(look, look);
    running = next;
    return next;
  };

  const timer = setInterval(() => void check(), options.pollMs ?? 10_000);
  timer.unref();
  const watchers: FSWatcher[] = [];
  for (const dir of new Set([dirname(options.certFile), dirname(options.keyFile)])) {
    try {
      const watcher = watch(dir, { persistent: false }, () => void check());
      watcher.on('error', (err) => deps.log('warn', `watching ${dir} stopped (the poll goes on): ${err.message}`));
      watchers.push(watcher);
    } catch (err) {
      deps.log('warn', `cannot watch ${dir}, polling only: ${(err as Error).message}`);
    }
  }
  return {
    check,
    close() {
      clearInterval(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
