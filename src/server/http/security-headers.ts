/**
 * Headers every admin response carries: no sniffing, no framing (clickjacking), no referrer, no
 * caching of API answers. No CORS headers are ever sent, so browsers keep other origins out.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export function securityHeaders(): RequestHandler {
  return function setSecurityHeaders(_req: Request, res: Response, next: NextFunction) {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
