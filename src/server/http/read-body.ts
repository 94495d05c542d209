/**
 * The admin API's body reader: JSON only (browser form encodings are refused, so a page on another
 * site cannot change state with a form post), a size limit enforced while reading (a huge body is
 * cut off, not buffered), and depth checked before parsing (syntax errors named without echoing
 * the body). `/auth/token` alone also accepts a form-encoded body, as OAuth2 clients send one.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ConfigError, RedoubtError } from '../../errors/index.js';
import { parseCheckedJson } from './json-scan.js';

export interface ReadBodyOptions {
  /** Bytes; larger bodies are refused with `request_too_large`. */
  limitBytes: number;
  maxDepth: number;
  /** Also accept `application/x-www-form-urlencoded` (the token route only). */
  allowForm?: boolean;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i;
const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * Node-RED's size settings (`apiMaxLength: '5mb'`) in bytes.
 *
 * @example parseSize('5mb', 'apiMaxLength') // 5242880
 */
export function parseSize(value: string | number, setting: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.floor(value);
  const m = typeof value === 'string' ? SIZE.exec(value.trim()) : null;
  if (!m) throw new ConfigError(setting, `'${String(value)}' is not a size; use a number of bytes or e.g. '5mb', '100kb'`);
  const bytes = Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!);
  if (bytes < 1) throw new ConfigError(setting, 'must be at least 1 byte');
  return bytes;
}

/** Reads the raw body, stopping (and closing the connection) as soon as it exceeds the limit. */
function readLimited(req: Request, res: Response, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const tooLarge = () => {
      // The rest of the body is not read: the answer says so and the connection is closed after it.
      res.setHeader('Connection', 'close');
      res.once('finish', () => req.socket.destroy());
      req.pause();
      reject(new RedoubtError('request_too_large', `The request body is larger than the limit of ${limit} bytes`));
    };
    if (Number.isFinite(declared) && declared > limit) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        tooLarge();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new RedoubtError('invalid_request', 'The request body could not be read', { cause: err }));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

const hasBody = (req: Request) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * Express middleware setting `req.body` (undefined when there is no body).
 *
 * @example router.post('/flows', readBody({ limitBytes: 5 * 1024 * 1024, maxDepth: 64 }), handler);
 */
export function readBody(options: ReadBodyOptions): RequestHandler {
  if (!(options.limitBytes > 0)) throw new ConfigError('apiMaxLength', 'must be a positive size');
  if (!(options.maxDepth >= 1)) throw new ConfigError('maxJsonDepth', 'must be at least 1');
  return async function readRequestBody(req: Request, res: Response, next: NextFunction) {
    try {
      req.body = undefined;
      if (!hasBody(req)) return next();
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const isJson = type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
      const isForm = type === 'application/x-www-form-urlencoded';
      if (!isJson && !(isForm && options.allowForm)) {
        throw new RedoubtError('unsupported_media_type', `Content-Type '${type || '(none)'}' is not accepted here; send application/json`);
      }
      const raw = await readLimited(req, res, options.limitBytes);
      const text = raw.toString('utf8');
      if (isForm) {
        req.body = Object.fromEntries(new URLSearchParams(text));
      } else if (text.trim().length > 0) {
        req.body = parseCheckedJson(text, options.maxDepth);
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}
