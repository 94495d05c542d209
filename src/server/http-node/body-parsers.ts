/**
 * Request body handling for http-in routes beyond JSON and urlencoded (which Express's own
 * parsers do): Node-RED's raw parser (text for text-like types, a Buffer otherwise, UTF-8
 * application types as text), the unparsed Buffer for `skipBodyParsing`, and multipart uploads
 * through the platform's `Response.formData()` so no multipart dependency is needed.
 */
import type { IncomingMessage } from 'node:http';
import type { UploadedFile } from '../../runtime/definition/http-endpoints.js';
import { RedoubtError } from '../../errors/index.js';
import { isPrintableUtf8 } from '../../runtime/properties/index.js';

/** Raised while reading a body; the router maps the code to the response status. */
export class BodyError extends RedoubtError {}

/** Reads the whole body, refusing (`payload_too_large`) past `limit` bytes without buffering the rest. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new BodyError('payload_too_large', `request body is larger than the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        failed = true;
        req.off('data', onData);
        reject(new BodyError('payload_too_large', `request body is larger than the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    req.once('error', (err) => {
      if (!failed) reject(new BodyError('request_aborted', 'the request body could not be read', { cause: err }));
    });
  });
}

/** How Node-RED's raw parser treats a content type: as text, as bytes, or as text when the bytes are UTF-8. */
export function bodyKind(contentType: string | undefined): 'text' | 'binary' | 'utf8-or-binary' {
  if (!contentType) return 'text';
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  const slash = media.indexOf('/');
  if (slash < 0) return 'text';
  const type = media.slice(0, slash);
  const subtype = media.slice(slash + 1);
  const plus = subtype.lastIndexOf('+');
  const suffix = plus >= 0 ? subtype.slice(plus + 1) : '';
  const bare = plus >= 0 ? subtype.slice(0, plus) : subtype;
  if (type === 'text') return 'text';
  if (bare === 'xml' || suffix === 'xml') return 'text';
  if (type !== 'application') return 'binary';
  if (bare === 'octet-stream' || bare === 'cbor' || bare === 'x-protobuf') return 'binary';
  return 'utf8-or-binary';
}

export async function readRawBody(req: IncomingMessage, limit: number): Promise<string | Buffer> {
  const buf = await readBody(req, limit);
  const kind = bodyKind(req.headers['content-type']);
  if (kind === 'text') return buf.toString('utf8');
  // Node-RED's rule (is-utf8): control bytes make it binary though they are valid UTF-8.
  if (kind === 'utf8-or-binary' && isPrintableUtf8(buf)) return buf.toString('utf8');
  return buf;
}

export function isMultipart(req: IncomingMessage): boolean {
  return /^multipart\/form-data\s*;/i.test(req.headers['content-type'] ?? '');
}

/** Parses multipart/form-data into multer's shapes: fields to an object, files with their bytes. */
export async function readMultipart(req: IncomingMessage, limit: number): Promise<{ fields: Record<string, unknown>; files: UploadedFile[] }> {
  const buf = await readBody(req, limit);
  let form: FormData;
  try {
    form = await new Response(new Blob([new Uint8Array(buf)]), { headers: { 'content-type': req.headers['content-type']! } }).formData();
  } catch (err) {
    throw new BodyError('invalid_body', 'malformed multipart body', { cause: err });
  }
  const fields: Record<string, unknown> = {};
  const files: UploadedFile[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      const previous = fields[name];
      fields[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
      continue;
    }
    const bytes = Buffer.from(await value.arrayBuffer());
    files.push({ fieldname: name, originalname: value.name, encoding: '7bit', mimetype: value.type || 'application/octet-stream', size: bytes.length, buffer: bytes });
  }
  return { fields, files };
}
