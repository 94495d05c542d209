/**
 * `httpNodeCors`: CORS headers for http-in endpoints, with the option names of the `cors`
 * package that Node-RED passes the setting to. Off unless configured. Options are checked when
 * the router is built, not per request.
 */
import type { NextFunction, Request, Response } from 'express';
import { ConfigError } from '../../errors/index.js';

type OriginRule = boolean | string | RegExp | ReadonlyArray<string | RegExp>;

export interface CorsOptions {
  origin?: OriginRule;
  methods?: string | readonly string[];
  allowedHeaders?: string | readonly string[];
  exposedHeaders?: string | readonly string[];
  credentials?: boolean;
  maxAge?: number;
  optionsSuccessStatus?: number;
}

export interface Cors {
  /** Headers for an actual request. */
  apply(req: Request, res: Response): void;
  /** Answers a preflight (OPTIONS with Access-Control-Request-Method); false when not one. */
  preflight(req: Request, res: Response): boolean;
}

const SETTING = 'httpNodeCors';

function list(value: string | readonly string[] | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  throw new ConfigError(SETTING, `'${name}' must be a string or a list of strings`);
}

function checkOrigin(origin: unknown): OriginRule {
  if (origin === undefined) return '*';
  if (typeof origin === 'boolean' || typeof origin === 'string' || origin instanceof RegExp) return origin;
  if (Array.isArray(origin) && origin.every((o) => typeof o === 'string' || o instanceof RegExp)) return origin;
  throw new ConfigError(SETTING, "'origin' must be true, false, '*', an origin, a RegExp or a list of them");
}

function matches(rule: string | RegExp, origin: string): boolean {
  return typeof rule === 'string' ? rule === origin : rule.test(origin);
}

export function createCors(options: CorsOptions): Cors {
  if (typeof options !== 'object' || options === null) throw new ConfigError(SETTING, 'must be an object of cors options');
  const origin = checkOrigin(options.origin);
  const methods = list(options.methods, 'methods') ?? 'GET,HEAD,PUT,PATCH,POST,DELETE';
  const allowedHeaders = list(options.allowedHeaders, 'allowedHeaders');
  const exposedHeaders = list(options.exposedHeaders, 'exposedHeaders');
  if (options.maxAge !== undefined && !Number.isFinite(options.maxAge)) throw new ConfigError(SETTING, "'maxAge' must be a number of seconds");
  const successStatus = options.optionsSuccessStatus ?? 204;

  const setOrigin = (req: Request, res: Response): boolean => {
    const requestOrigin = req.headers.origin;
    if (origin === false) return false;
    if (origin === '*') {
      res.setHeader('Access-Control-Allow-Origin', '*');
      return true;
    }
    res.vary('Origin');
    if (typeof origin === 'string') {
      res.setHeader('Access-Control-Allow-Origin', origin);
      return true;
    }
    if (!requestOrigin) return false;
    const allowed = origin === true || (Array.isArray(origin) ? origin.some((r) => matches(r, requestOrigin)) : matches(origin as RegExp, requestOrigin));
    if (allowed) res.setHeader('Access-Control-Allow-Origin', requestOrigin);
    return allowed;
  };

  const common = (res: Response) => {
    if (options.credentials === true) res.setHeader('Access-Control-Allow-Credentials', 'true');
  };

  return {
    apply(req, res) {
      if (!setOrigin(req, res)) return;
      common(res);
      if (exposedHeaders) res.setHeader('Access-Control-Expose-Headers', exposedHeaders);
    },
    preflight(req, res) {
      if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return false;
      if (setOrigin(req, res)) {
        common(res);
        res.setHeader('Access-Control-Allow-Methods', methods);
        const headers = allowedHeaders ?? req.headers['access-control-request-headers'];
        if (!allowedHeaders) res.vary('Access-Control-Request-Headers');
        if (headers) res.setHeader('Access-Control-Allow-Headers', headers);
        if (options.maxAge !== undefined) res.setHeader('Access-Control-Max-Age', String(options.maxAge));
      }
      res.setHeader('Content-Length', '0');
      res.status(successStatus).end();
      return true;
    },
  };
}

/** Express middleware form, for mounting before the routes. */
export function corsPreflight(cors: Cors) {
  return function httpNodeCorsPreflight(req: Request, res: Response, next: NextFunction) {
    if (!cors.preflight(req, res)) next();
  };
}
