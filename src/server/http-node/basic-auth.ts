/**
 * `httpNodeAuth`: HTTP basic authentication in front of every http-in endpoint, with Node-RED's
 * setting shape `{ user, pass }` where `pass` is a bcrypt hash (or any hash the injected verifier
 * accepts, such as Redoubt's scrypt hashes). Plain-text and MD5 `pass` values, which Node-RED
 * still accepts, are refused at start: a password must not sit readable in the settings.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { NextFunction, Request, Response } from 'express';
import { ConfigError } from '../../errors/index.js';

export interface BasicAuthOptions {
  user: string;
  pass: string;
}

/** Checks a password against a stored hash; the server passes the security layer's hasher here. */
export type VerifyPassword = (password: string, hash: string) => Promise<boolean>;

const SETTING = 'httpNodeAuth';
const REALM = 'Basic realm="Authorization Required"';
const BCRYPT = /^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/;

const digest = (value: string) => createHash('sha256').update(value).digest();

export function createBasicAuth(options: BasicAuthOptions, verify?: VerifyPassword) {
  if (typeof options !== 'object' || options === null) throw new ConfigError(SETTING, 'must be { user, pass }');
  const { user, pass } = options;
  if (typeof user !== 'string' || user === '') throw new ConfigError(SETTING, "'user' must be a non-empty string");
  if (typeof pass !== 'string' || pass === '') throw new ConfigError(SETTING, "'pass' must be a password hash");
  if (!verify && !BCRYPT.test(pass)) throw new ConfigError(SETTING, "'pass' must be a bcrypt hash (as made by `node-red admin hash-pw`), not a plain or MD5 password");
  const check: VerifyPassword = verify ?? ((password, hash) => bcrypt.compare(password, hash));
  const userDigest = digest(user);
  // Hashing is deliberately slow; remember the digest of the last accepted header so that a
  // client sending the same credentials again does not pay for it on every request.
  let accepted: Buffer | undefined;

  const verifyHeader = async (header: string | undefined): Promise<boolean> => {
    if (!header || !/^basic /i.test(header)) return false;
    const headerDigest = digest(header);
    if (accepted && timingSafeEqual(accepted, headerDigest)) return true;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), userDigest);
    // The hash is checked even for a wrong user name, so both fail alike.
    const passOk = await check(decoded.slice(colon + 1), pass);
    if (!userOk || !passOk) return false;
    accepted = headerDigest;
    return true;
  };

  return {
    /** For websocket upgrades, which bypass Express. */
    verifyHeader,
    middleware: function httpNodeBasicAuth(req: Request, res: Response, next: NextFunction) {
      verifyHeader(req.headers.authorization).then((ok) => {
        if (ok) return next();
        res.setHeader('WWW-Authenticate', REALM);
        res.status(401).send('Unauthorized');
      }, next);
    },
  };
}

export type BasicAuth = ReturnType<typeof createBasicAuth>;
