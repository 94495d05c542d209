/**
 * `GET /settings` in Node-RED's shape (httpNodeRoot, version, user, editorTheme...), with the
 * caller's permissions as Node-RED's editor reads them (`*`, `read` or a list of scopes), and for
 * admins the profile's warnings under `redoubt.warnings`.
 */
import { Router, type Request, type Response } from 'express';
import { scopeForRole } from '../../security/index.js';
import { callerOf } from '../http/request-context.js';
import type { AdminDeps, Guards } from './admin-deps.js';

export function settingsRoutes(deps: AdminDeps, guards: Guards): Router {
  const router = Router();
  router.get('/settings', ...guards.needs('settings.read'), (_req: Request, res: Response) => {
    const caller = callerOf(res);
    const body: Record<string, unknown> = {
      ...deps.publicSettings(),
      user: { username: caller.username, permissions: scopeForRole(caller.role), role: caller.role },
    };
    body.redoubt = caller.role === 'admin' ? { role: caller.role, warnings: deps.warnings?.() ?? [] } : { role: caller.role };
    res.json(body);
  });
  return router;
}
