/**
 * The logged-in user's own second factor: `GET /redoubt/2fa` (status), `POST /redoubt/2fa/enrol`
 * (a pending secret, its otpauth URI and ten recovery codes, shown once), `POST /redoubt/2fa/verify`
 * (a code from the app turns it on). Turning a factor off is the CLI's (`redoubt user 2fa disable`),
 * so a stolen session cannot remove it.
 */
import { Router, type Request, type Response } from 'express';
import { RedoubtError } from '../../errors/index.js';
import { callerOf, clientAddress } from '../http/request-context.js';
import type { AdminDeps, Guards } from './admin-deps.js';

export function twoFactorRoutes(deps: AdminDeps, guards: Guards): Router {
  const router = Router();
  const secondFactor = deps.secondFactor;
  if (!secondFactor) return router;

  router.get('/redoubt/2fa', ...guards.signedIn, (_req: Request, res: Response) => {
    res.json(secondFactor.status(callerOf(res).username));
  });

  router.post('/redoubt/2fa/enrol', ...guards.signedIn, guards.json, async (req: Request, res: Response) => {
    const { username } = callerOf(res);
    const enrolment = await secondFactor.beginEnrolment({ username, by: username, address: clientAddress(req) });
    // Shown once: nothing here may be cached by a browser or proxy.
    res.set('Cache-Control', 'no-store');
    res.json(enrolment);
  });

  router.post('/redoubt/2fa/verify', ...guards.signedIn, guards.json, async (req: Request, res: Response) => {
    const { username } = callerOf(res);
    const body = req.body as Record<string, unknown> | undefined;
    const code = body && typeof body.code === 'string' ? body.code : undefined;
    if (!code) throw new RedoubtError('invalid_request', 'code is required');
    await secondFactor.confirmEnrolment({ username, code, by: username, address: clientAddress(req) });
    res.json(secondFactor.status(username));
  });

  return router;
}
