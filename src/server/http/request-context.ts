/**
 * What the HTTP adapter knows about a request once the guards have run: the caller (set by
 * `authenticate`), the bearer token (kept out of every log and audit record), and the client's
 * address.
 */
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import { AuthError } from '../../errors/index.js';
import type { Caller } from '../services/types.js';

const CLIENT_ADDRESS = Symbol('redoubt.clientAddress');

/**
 * The client's address: the one `resolveClient` (server/http/network-gate.ts) found, which is the
 * peer unless the peer is a proxy listed in `trustProxy`; the peer when nothing resolved it.
 */
export function clientAddress(req: Request | IncomingMessage): string {
  return (req as { [CLIENT_ADDRESS]?: string })[CLIENT_ADDRESS] ?? req.socket.remoteAddress ?? 'unknown';
}

export function setClientAddress(req: Request | IncomingMessage, address: string): void {
  (req as { [CLIENT_ADDRESS]?: string })[CLIENT_ADDRESS] = address;
}

/** Whether the peer is this machine: 127.0.0.0/8 or ::1, also as IPv4-mapped IPv6. */
export function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** The route as recorded in the audit log: path only, never the query string (it may hold a token). */
export function routeOf(req: Request): string {
  return `${req.method} ${(req.originalUrl ?? req.url).split('?')[0]}`;
}

export function setCaller(res: Response, caller: Caller, token: string): void {
  res.locals.caller = caller;
  res.locals.token = token;
}

/** The authenticated caller; throws when a route forgot its guard. */
export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new AuthError('unauthorized', 'Authentication required');
  return caller;
}

export function tokenOf(res: Response): string | undefined {
  return res.locals.token as string | undefined;
}
