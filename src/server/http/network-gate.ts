/**
 * The network rules of the deployment profile, applied to requests and upgrades: who the client
 * is (`trustProxy`), whether it may reach the editor and admin API or the http-in endpoints
 * (`ipAllowList.editor`, `ipAllowList.httpNode`), and whether it came over HTTPS. Refusals are
 * counted and audited through the refusal recorder (one record per address per minute).
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createIpAllowList, type IpAllowList } from '../../security/ip-allowlist.js';
import { createRefusalRecorder, type RefusalRecorder } from '../../security/refusal-recorder.js';
import { createTrustedProxy, type TrustedProxy } from '../../security/trusted-proxy.js';
import type { AuditLog, Clock } from '../../security/index.js';
import { clientAddress, routeOf, setClientAddress } from './request-context.js';

export interface NetworkGateOptions {
  /** CIDRs of reverse proxies whose `X-Forwarded-For`/`-Proto` are believed; default none. */
  trustProxy?: readonly string[];
  ipAllowList?: { editor?: readonly string[]; httpNode?: readonly string[] };
}

export interface NetworkGate {
  readonly proxy: TrustedProxy;
  readonly refusals: RefusalRecorder;
  /** The client's address for a request or an upgrade. */
  clientOf(req: IncomingMessage): string;
  isSecure(req: IncomingMessage): boolean;
  /** Whether the client may use the editor/admin API; a refusal is recorded. */
  admitsEditor(req: IncomingMessage, route: string): boolean;
  /** Whether the client may use http-in endpoints; a refusal is recorded. */
  admitsHttpNode(req: IncomingMessage, route: string): boolean;
  /** Whether the editor list lets the client in, without recording anything. */
  editorListAllows(req: IncomingMessage): boolean;
  /** Records a refusal of the client for `route`. */
  recordRefusal(req: IncomingMessage, route: string): void;
}

/**
 * @example const gate = createNetworkGate({ trustProxy: ['127.0.0.1'], ipAllowList: { editor: ['192.168.1.0/24'] } }, { clock, audit });
 */
export function createNetworkGate(options: NetworkGateOptions, deps: { clock: Clock; audit: Pick<AuditLog, 'record'> }): NetworkGate {
  const proxy = createTrustedProxy({ trustProxy: options.trustProxy ?? [] });
  const list = (cidrs: readonly string[] | undefined, setting: string): IpAllowList | undefined =>
    cidrs === undefined ? undefined : createIpAllowList({ cidrs, setting });
  const editor = list(options.ipAllowList?.editor, 'ipAllowList.editor');
  const httpNode = list(options.ipAllowList?.httpNode, 'ipAllowList.httpNode');
  const refusals = createRefusalRecorder({}, deps);

  const facts = (req: IncomingMessage) => ({
    peer: req.socket.remoteAddress,
    forwardedFor: req.headers['x-forwarded-for'],
    forwardedProto: req.headers['x-forwarded-proto'],
    encrypted: (req.socket as Partial<TLSSocket>).encrypted === true,
  });
  const clientOf = (req: IncomingMessage) => {
    const known = clientAddress(req);
    // Already resolved for this request (resolveClient ran), or nothing to resolve.
    if (known !== req.socket.remoteAddress || !proxy.isEnabled) return known;
    const resolved = proxy.clientAddress(facts(req));
    setClientAddress(req, resolved);
    return resolved;
  };
  const recordRefusal = (req: IncomingMessage, route: string) => {
    const address = clientOf(req);
    refusals.refused({ address, reason: 'ip_not_allowed', route, details: address !== req.socket.remoteAddress ? { via: req.socket.remoteAddress } : undefined });
  };
  const admits = (allow: IpAllowList | undefined, req: IncomingMessage, route: string) => {
    if (!allow || allow.allows(clientOf(req))) return true;
    recordRefusal(req, route);
    return false;
  };
  return {
    proxy,
    refusals,
    clientOf,
    isSecure: (req) => proxy.isSecure(facts(req)),
    admitsEditor: (req, route) => admits(editor, req, route),
    admitsHttpNode: (req, route) => admits(httpNode, req, route),
    editorListAllows: (req) => !editor || editor.allows(clientOf(req)),
    recordRefusal,
  };
}

/** First middleware of the app: settles who the client is, once, for every later step. */
export function resolveClient(gate: NetworkGate): RequestHandler {
  return function resolveClientAddress(req: Request, _res: Response, next: NextFunction) {
    gate.clientOf(req);
    next();
  };
}

const EDITOR_REFUSED = Symbol('redoubt.editorRefused');

/**
 * The editor/admin API allow-list, first in the admin router. When the admin and http-in roots
 * overlap (both '/'), a refused address skips the admin routes instead (`next('router')`) so the
 * http-in endpoints, under their own list, can still answer it; `editorRefusedFallback` refuses
 * and records it if none does.
 */
export function editorAllowList(gate: NetworkGate, options: { sharesRootWithHttpNode: boolean }): RequestHandler {
  return function editorAllowListGate(req: Request, res: Response, next: NextFunction) {
    if (gate.editorListAllows(req)) return next();
    if (options.sharesRootWithHttpNode) {
      (req as { [EDITOR_REFUSED]?: boolean })[EDITOR_REFUSED] = true;
      return next('router');
    }
    gate.recordRefusal(req, routeOf(req));
    res.status(403).json({ code: 'forbidden', message: 'Access from this address is not allowed' });
  };
}

/** After the http-in endpoints: a request the editor list skipped and nothing served is refused here. */
export function editorRefusedFallback(gate: NetworkGate): RequestHandler {
  return function editorRefused(req: Request, res: Response, next: NextFunction) {
    if (!(req as { [EDITOR_REFUSED]?: boolean })[EDITOR_REFUSED]) return next();
    gate.recordRefusal(req, routeOf(req));
    res.status(403).json({ code: 'forbidden', message: 'Access from this address is not allowed' });
  };
}
