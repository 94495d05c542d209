/**
 * The contract between nodes that serve HTTP (`http in`, `websocket-listener`) and the server
 * that owns the listening socket. The runtime only carries this interface; `server/http-node`
 * implements it. The request and response shapes are structural (what the nodes use), so no
 * HTTP library's types reach `runtime/` or `nodes/`; at run time they are Express's objects,
 * which contrib nodes reach through `msg.req` and `msg.res._res` as they do in Node-RED.
 *
 * @example
 * const unregister = node.runtime.http?.route('get', '/hello/:name', (req, res) => {
 *   res.status(200).send(`hi ${req.params.name}`);
 * });
 * // on close: unregister?.();
 */
import type { Duplex } from 'node:stream';

export type HttpNodeMethod = 'get' | 'post' | 'put' | 'delete' | 'patch';

/** One file of a multipart upload, in multer's memory-storage shape (what Node-RED's flows read). */
export interface UploadedFile {
  fieldname: string;
  originalname: string;
  encoding: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

export interface HttpNodeRequest {
  readonly method: string;
  readonly url: string;
  readonly originalUrl: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly params: Record<string, string>;
  readonly query: Record<string, unknown>;
  /** Parsed by content type; a Buffer when the route skips body parsing. */
  body: unknown;
  cookies: Record<string, string>;
  files?: UploadedFile[];
  readonly ip?: string;
}

export interface CookieOptions {
  domain?: string;
  path?: string;
  expires?: Date;
  maxAge?: number;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: boolean | 'lax' | 'strict' | 'none';
  encode?: (value: string) => string;
  [key: string]: unknown;
}

export interface HttpNodeResponse {
  readonly headersSent: boolean;
  status(code: number): HttpNodeResponse;
  set(field: Record<string, unknown>): HttpNodeResponse;
  set(field: string, value: unknown): HttpNodeResponse;
  get(field: string): string | number | string[] | undefined;
  cookie(name: string, value: unknown, options?: CookieOptions): HttpNodeResponse;
  clearCookie(name: string, options?: CookieOptions): HttpNodeResponse;
  send(body?: unknown): HttpNodeResponse;
  json(body: unknown): HttpNodeResponse;
  jsonp(body: unknown): HttpNodeResponse;
  sendStatus(code: number): HttpNodeResponse;
  end(): unknown;
}

export interface HttpRouteOptions {
  /** Parse multipart/form-data: files to `req.files`, fields to `req.body` (post only, as Node-RED). */
  upload?: boolean;
  /** Hand the body over as the raw Buffer, unparsed. */
  skipBodyParsing?: boolean;
  /** Called with errors raised while the request is prepared (bad JSON, too large...); the server answers the client itself. */
  onError?: (err: unknown) => void;
}

export type HttpRouteHandler = (req: HttpNodeRequest, res: HttpNodeResponse) => void;

/** The part of an HTTP upgrade request a websocket listener needs before handing it to `ws`. */
export interface UpgradeRequest {
  readonly url?: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export type UpgradeHandler = (request: UpgradeRequest, socket: Duplex, head: Buffer) => void;

/** Removes what was registered; safe to call more than once. */
export type Unregister = () => void;

export interface HttpEndpoints {
  /**
   * Adds a route under `httpNodeRoot`. `path` uses Express route syntax (`/user/:id`). The
   * first registered route that matches answers, as with Node-RED's router.
   */
  route(method: HttpNodeMethod, path: string, handler: HttpRouteHandler, options?: HttpRouteOptions): Unregister;
  /**
   * Takes websocket upgrades whose path (under `httpNodeRoot`) is `path`. Throws a
   * `ConflictError` (`duplicate_path`) when another listener holds the path.
   */
  upgrade(path: string, handler: UpgradeHandler): Unregister;
  /** `path` as clients see it, with `httpNodeRoot` in front. */
  fullPath(path: string): string;
}
