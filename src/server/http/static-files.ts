/**
 * Serves the editor's files from a folder. A request path is decoded exactly once; any `..`
 * segment, backslash, NUL, or a `%` left after decoding (double encoding) is refused as a traversal
 * attempt before the file system is touched, and the resolved path must stay inside the folder.
 * Paths that name no file fall through to the next handler.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RedoubtError } from '../../errors/index.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** The decoded, checked relative path of a request, or throws `path_traversal`. */
export function safeRelativePath(rawPath: string): string {
  const refuse = () => {
    throw new RedoubtError('path_traversal', 'The path is not allowed');
  };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return refuse();
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.includes('%')) refuse();
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s === '.')) refuse();
  return segments.filter((s) => s.length > 0).join('/');
}

/**
 * @example app.use(staticFiles({ root: '/opt/redoubt/editor' }));
 */
export function staticFiles(options: { root: string; index?: string }): RequestHandler {
  const root = resolve(options.root);
  const index = options.index ?? 'index.html';
  return async function serveStatic(req: Request, res: Response, next: NextFunction) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    try {
      const raw = (req.originalUrl ?? req.url).split('?')[0]!;
      const relative = safeRelativePath(req.baseUrl ? raw.slice(req.baseUrl.length) : raw);
      let file = resolve(join(root, relative));
      if (file !== root && !file.startsWith(root + sep)) throw new RedoubtError('path_traversal', 'The path is not allowed');
      let info = await stat(file).catch(() => undefined);
      if (info?.isDirectory()) {
        file = join(file, index);
        info = await stat(file).catch(() => undefined);
      }
      if (!info?.isFile()) return next();
      res.setHeader('Content-Type', TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
      res.setHeader('Content-Length', String(info.size));
      if (req.method === 'HEAD') return void res.end();
      const stream = createReadStream(file);
      stream.on('error', (err) => (res.headersSent ? res.destroy(err) : next(err)));
      stream.pipe(res);
    } catch (err) {
      next(err);
    }
  };
}
