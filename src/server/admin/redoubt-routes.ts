/**
 * Redoubt's own routes beside Node-RED's: the audit log (admins) and the flow history (list,
 * one version, a diff, and rollback, which is a deploy).
 */
import { Router, type Request, type Response } from 'express';
import { RedoubtError } from '../../errors/index.js';
import { callerOf } from '../http/request-context.js';
import type { AdminDeps, Guards } from './admin-deps.js';

const positiveInt = (value: unknown, name: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new RedoubtError('invalid_request', `${name} must be a whole number`);
  return n;
};

export function redoubtRoutes(deps: AdminDeps, guards: Guards): Router {
  const router = Router();
  const { flows } = deps;

  router.get('/redoubt/audit', ...guards.needs('audit.read'), (req: Request, res: Response) => {
    const q = req.query;
    res.json(
      deps.audit.list({
        afterSeq: q.afterSeq === undefined ? undefined : positiveInt(q.afterSeq, 'afterSeq'),
        limit: q.limit === undefined ? 100 : Math.min(1000, positiveInt(q.limit, 'limit')),
        event: typeof q.event === 'string' ? q.event : undefined,
      }),
    );
  });

  router.get('/redoubt/history', ...guards.needs('history.read'), (req: Request, res: Response) => {
    res.json(flows.listVersions(callerOf(res), req.query.limit === undefined ? undefined : positiveInt(req.query.limit, 'limit')));
  });
  router.get('/redoubt/history/:v', ...guards.needs('history.read'), (req: Request, res: Response) => {
    res.json(flows.getVersion(callerOf(res), positiveInt(req.params.v, 'version')));
  });
  router.get('/redoubt/history/:a/diff/:b', ...guards.needs('history.read'), (req: Request, res: Response) => {
    res.json(flows.diffVersions(callerOf(res), positiveInt(req.params.a, 'version'), positiveInt(req.params.b, 'version')));
  });
  router.post('/redoubt/history/:v/rollback', ...guards.needs('history.rollback'), guards.json, async (req: Request, res: Response) => {
    res.json(await flows.rollback(callerOf(res), positiveInt(req.params.v, 'version')));
  });

  return router;
}
