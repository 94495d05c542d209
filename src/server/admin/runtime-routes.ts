/**
 * The routes Node-RED's core nodes add to `RED.httpAdmin` (`POST /inject/:id`,
 * `POST /debug/:id/enable|disable` and the bulk `/debug/:state`) and the context routes
 * (`GET/DELETE /context/{global,flow/:id,node/:id}[/:key]?store=`).
 */
import { Router, type Request, type Response } from 'express';
import { NotFoundError, RedoubtError } from '../../errors/index.js';
import { callerOf } from '../http/request-context.js';
import type { ContextTarget } from '../services/runtime-service.js';
import type { AdminDeps, Guards } from './admin-deps.js';

const stateOf = (value: string): boolean => {
  if (value !== 'enable' && value !== 'disable') throw new NotFoundError('debug state', value);
  return value === 'enable';
};

export function runtimeRoutes(deps: AdminDeps, guards: Guards): Router {
  const router = Router();
  const { runtime } = deps;

  router.post('/inject/:id', ...guards.needs('inject'), guards.json, (req: Request, res: Response) => {
    runtime.inject(callerOf(res), String(req.params.id), req.body);
    res.status(200).send('OK');
  });

  // Node-RED answers 200 for enable and 201 for disable; clients rely on it.
  router.post('/debug/:id/:state', ...guards.needs('debug.toggle'), guards.json, (req: Request, res: Response) => {
    const active = stateOf(String(req.params.state));
    runtime.setDebugActive(callerOf(res), [String(req.params.id)], active);
    res.sendStatus(active ? 200 : 201);
  });
  router.post('/debug/:state', ...guards.needs('debug.toggle'), guards.json, (req: Request, res: Response) => {
    const active = stateOf(String(req.params.state));
    const nodes = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>).nodes : undefined;
    if (!Array.isArray(nodes) || nodes.some((n) => typeof n !== 'string')) throw new RedoubtError('invalid_request', 'the body must be { "nodes": [ids] }');
    runtime.setDebugActive(callerOf(res), nodes as string[], active);
    res.sendStatus(active ? 200 : 201);
  });

  const targetOf = (req: Request, fixedScope?: 'global'): ContextTarget => {
    const scope = fixedScope ?? String(req.params.scope);
    if (scope === 'global') return { scope: 'global' };
    if (scope === 'flow' || scope === 'node') return { scope, id: String(req.params.id) };
    throw new NotFoundError('context scope', scope);
  };
  const optionsOf = (req: Request) => ({
    key: req.params.key === undefined ? undefined : String(req.params.key),
    store: typeof req.query.store === 'string' ? req.query.store : undefined,
  });
  const read = (fixedScope?: 'global') => async (req: Request, res: Response) => {
    res.json(await runtime.getContext(callerOf(res), targetOf(req, fixedScope), optionsOf(req)));
  };
  const remove = (fixedScope?: 'global') => async (req: Request, res: Response) => {
    await runtime.deleteContext(callerOf(res), targetOf(req, fixedScope), optionsOf(req));
    res.status(204).end();
  };
  router.get('/context/global', ...guards.needs('context.read'), read('global'));
  router.get('/context/global/:key', ...guards.needs('context.read'), read('global'));
  router.get('/context/:scope/:id', ...guards.needs('context.read'), read());
  router.get('/context/:scope/:id/:key', ...guards.needs('context.read'), read());
  router.delete('/context/global/:key', ...guards.needs('context.write'), remove('global'));
  router.delete('/context/:scope/:id/:key', ...guards.needs('context.write'), remove());

  return router;
}
