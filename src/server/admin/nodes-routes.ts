/**
 * Node-RED's palette routes as node-red-admin uses them: list (`GET /nodes`), info
 * (`GET /nodes/:module[/:set]`) and enable/disable (`PUT` with `{ enabled }`).
 */
import { Router, type Request, type Response } from 'express';
import { RedoubtError } from '../../errors/index.js';
import { callerOf } from '../http/request-context.js';
import type { AdminDeps, Guards } from './admin-deps.js';

const enabledOf = (body: unknown): boolean => {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>).enabled : undefined;
  if (typeof value !== 'boolean') throw new RedoubtError('invalid_request', "the body must be { \"enabled\": true | false }");
  return value;
};

export function nodesRoutes(deps: AdminDeps, guards: Guards): Router {
  const router = Router();
  const { nodes } = deps;

  router.get('/nodes', ...guards.needs('nodes.read'), (req: Request, res: Response) => {
    // The editor also asks for the palette's HTML (node forms); the editor is not built yet, so
    // only JSON is offered and an HTML-only client is told so.
    if (!req.accepts('application/json')) throw new RedoubtError('not_acceptable', 'Only application/json is available');
    res.json(nodes.listSets(callerOf(res)));
  });

  router.get('/nodes/:module', ...guards.needs('nodes.read'), (req: Request, res: Response) => {
    res.json(nodes.getModule(callerOf(res), String(req.params.module)));
  });
  router.get('/nodes/:module/:set', ...guards.needs('nodes.read'), (req: Request, res: Response) => {
    const { module, set } = req.params as { module: string; set: string };
    // A scoped module name (`@scope/name`) arrives as two segments.
    res.json(module.startsWith('@') ? nodes.getModule(callerOf(res), `${module}/${set}`) : nodes.getSet(callerOf(res), module, set));
  });

  router.put('/nodes/:module', ...guards.needs('nodes.write'), guards.json, async (req: Request, res: Response) => {
    res.json(await nodes.setModuleEnabled(callerOf(res), String(req.params.module), enabledOf(req.body)));
  });
  router.put('/nodes/:module/:set', ...guards.needs('nodes.write'), guards.json, async (req: Request, res: Response) => {
    const { module, set } = req.params as { module: string; set: string };
    const enabled = enabledOf(req.body);
    res.json(await (module.startsWith('@') ? nodes.setModuleEnabled(callerOf(res), `${module}/${set}`, enabled) : nodes.setSetEnabled(callerOf(res), module, set, enabled)));
  });

  return router;
}
