/**
 * Node-RED's login routes: `GET /auth/login` (what to prompt for), `POST /auth/token` (OAuth2
 * password grant, as node-red-admin and the editor send it), `POST /auth/revoke`; and Redoubt's
 * first-start `POST /setup`, which creates the first admin from the one-time token printed on
 * the console, only for a client on this machine.
 */
import { Router, type Request, type Response } from 'express';
import { AuthError, RedoubtError } from '../../errors/index.js';
import { RetryLaterError } from '../error-map.js';
import { callerOf, clientAddress, isLoopback, tokenOf } from '../http/request-context.js';
import type { AdminDeps, Guards } from './admin-deps.js';
import { twoFactorRoutes } from './two-factor-routes.js';

const CLIENTS = new Set(['node-red-admin', 'node-red-editor']);

const field = (body: unknown, name: string): string | undefined => {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
};

export function authRoutes(deps: AdminDeps, guards: Guards): Router {
  const router = Router();

  router.get('/auth/login', (_req: Request, res: Response) => {
    res.json({
      type: 'credentials',
      prompts: [
        { id: 'username', type: 'text', label: 'user.username' },
        { id: 'password', type: 'password', label: 'user.password' },
        // Listed for everyone when second factors exist, so the prompt says nothing about who has one.
        ...(deps.secondFactor ? [{ id: 'otp', type: 'text', label: 'Authenticator or recovery code (if enrolled)' }] : []),
      ],
    });
  });

  router.post('/auth/token', guards.jsonOrForm, async (req: Request, res: Response) => {
    const clientId = field(req.body, 'client_id');
    if (!clientId || !CLIENTS.has(clientId)) throw new AuthError('invalid_client', 'Unknown client_id');
    if (field(req.body, 'grant_type') !== 'password') throw new RedoubtError('unsupported_grant_type', "grant_type must be 'password'");
    const username = field(req.body, 'username') ?? '';
    const password = field(req.body, 'password') ?? '';
    const otp = field(req.body, 'otp');
    const result = await deps.auth.login({ username, password, address: clientAddress(req), client: clientId, ...(otp === undefined ? {} : { otp }) });
    if (result.ok) {
      res.json({ access_token: result.token, expires_in: result.expiresIn, token_type: 'Bearer' });
      return;
    }
    if (result.reason === 'locked') throw new RetryLaterError('rate_limited', 'Too many failed logins; try again later', result.retryAfterMs);
    throw new AuthError('invalid_credentials', 'Invalid username or password');
  });

  router.post('/auth/revoke', ...guards.signedIn, guards.json, (req: Request, res: Response) => {
    const token = tokenOf(res)!;
    deps.auth.logout(token, clientAddress(req));
    // A second token named in the body is revoked only when it is the caller's own.
    const other = field(req.body, 'token');
    if (other && other !== token && deps.auth.authenticate(other)?.username === callerOf(res).username) deps.auth.logout(other, clientAddress(req));
    res.status(200).end();
  });

  router.post('/setup', guards.json, async (req: Request, res: Response) => {
    const address = clientAddress(req);
    if (!isLoopback(address)) throw new AuthError('setup_unavailable', 'Setup is only available from this machine');
    const username = field(req.body, 'username');
    const password = field(req.body, 'password');
    const token = field(req.body, 'token');
    if (!token || !username || !password) throw new RedoubtError('invalid_setup', 'token, username and password are required');
    await deps.auth.completeSetup({ token, username, password, address });
    res.status(201).json({ username, role: 'admin' });
  });

  router.use(twoFactorRoutes(deps, guards));

  return router;
}
