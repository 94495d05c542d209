/**
 * Headers every admin response carries: no sniffing, no framing (clickjacking), no referrer, no
 * caching of API answers, and a Content-Security-Policy the editor works with: its own scripts,
 * styles, images and fonts, and connections back to this origin (the admin API and the comms
 * websocket), nothing inline, nothing from elsewhere. No CORS headers are ever sent, so browsers
 * keep other origins out. HSTS is separate (`strictTransportSecurity`): it belongs to every
 * response of an HTTPS origin, http-in endpoints included.
 */
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ConfigError } from '../../errors/index.js';

export interface SecurityHeadersOptions {
  /** Whether the client reached this origin over HTTPS (decides ws: or wss: for comms). */
  isSecure?: (req: IncomingMessage) => boolean;
}

/** A Host header that can be echoed into the policy: a name or bracketed IPv6, and a port. */
const SAFE_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** The editor's policy; `host` (already checked) adds the explicit websocket origin older browsers need. */
export function editorContentSecurityPolicy(options: { host?: string; secure: boolean }): string {
  // CSP level 3 lets 'self' match ws(s) of the same host; the explicit origin covers older browsers.
  const comms = options.host ? ` ${options.secure ? 'wss' : 'ws'}://${options.host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${comms}`,
    "manifest-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(options: SecurityHeadersOptions = {}): RequestHandler {
  const isSecure = options.isSecure ?? ((req: IncomingMessage) => (req.socket as { encrypted?: boolean }).encrypted === true);
  return function setSecurityHeaders(req: Request, res: Response, next: NextFunction) {
    const host = req.headers.host;
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', editorContentSecurityPolicy({ host: host && SAFE_HOST.test(host) ? host : undefined, secure: isSecure(req) }));
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

/**
 * `Strict-Transport-Security` on responses that went over HTTPS (TLS here, or a trusted proxy
 * said so): browsers then refuse plain HTTP to this host for `maxAgeSeconds`. Never on plain
 * HTTP, where an attacker in the middle could strip or forge it anyway.
 */
export function strictTransportSecurity(options: { maxAgeSeconds: number; isSecure: (req: IncomingMessage) => boolean }): RequestHandler {
  if (!Number.isInteger(options.maxAgeSeconds) || options.maxAgeSeconds < 0) throw new ConfigError('https.hstsMaxAge', 'must be a whole number of seconds, 0 or more');
  const value = `max-age=${options.maxAgeSeconds}`;
  return function setStrictTransportSecurity(req: Request, res: Response, next: NextFunction) {
    if (options.maxAgeSeconds > 0 && options.isSecure(req)) res.setHeader('Strict-Transport-Security', value);
    next();
  };
}
