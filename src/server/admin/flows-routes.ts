/**
 * Node-RED's flow routes, v1 and v2 (`Node-RED-API-Version`), with its deployment types
 * (`Node-RED-Deployment-Type`). Only reads the request and maps it to the flows service.
 */
import { Router, type Request, type Response } from 'express';
import { RedoubtError } from '../../errors/index.js';
import type { DeploymentType } from '../../runtime/engine/engine.js';
import { redactCredentials } from '../services/flow-credentials.js';
import { callerOf } from '../http/request-context.js';
import type { Registry } from '../../runtime/registry.js';
import type { AdminDeps, Guards } from './admin-deps.js';

const apiVersion = (req: Request): 'v1' | 'v2' => (String(req.headers['node-red-api-version'] ?? 'v1').toLowerCase() === 'v2' ? 'v2' : 'v1');

const objectBody = (body: unknown): Record<string, unknown> => {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new RedoubtError('invalid_request', 'The body must be a JSON object');
  return body as Record<string, unknown>;
};

export function flowsRoutes(deps: AdminDeps, guards: Guards, registry: Pick<Registry, 'get'>): Router {
  const router = Router();
  const { flows } = deps;

  router.get('/flows', ...guards.needs('flows.read'), (req: Request, res: Response) => {
    const result = flows.getFlows(callerOf(res));
    res.json(apiVersion(req) === 'v2' ? result : result.flows);
  });

  router.post('/flows', ...guards.needs('flows.write'), guards.json, async (req: Request, res: Response) => {
    const version = apiVersion(req);
    const deploymentType = String(req.headers['node-red-deployment-type'] ?? 'full') as DeploymentType;
    let body: unknown = req.body;
    let rev: string | undefined;
    if (version === 'v2' && deploymentType !== 'reload') {
      const obj = objectBody(body);
      body = obj.flows;
      rev = typeof obj.rev === 'string' ? obj.rev : undefined;
    }
    const result = await flows.setFlows(callerOf(res), { flows: body, deploymentType, rev });
    if (version === 'v2') res.json({ rev: result.rev });
    else res.status(204).end();
  });

  router.get('/flows/state', ...guards.needs('flows.read'), (_req: Request, res: Response) => {
    res.json(flows.getState(callerOf(res)));
  });

  router.post('/flows/state', ...guards.needs('flows.write'), guards.json, async (req: Request, res: Response) => {
    res.json(await flows.setState(callerOf(res), String(objectBody(req.body).state ?? '')));
  });

  router.get('/flow/:id', ...guards.needs('flows.read'), (req: Request, res: Response) => {
    res.json(flows.getFlow(callerOf(res), String(req.params.id)));
  });

  router.post('/flow', ...guards.needs('flows.write'), guards.json, async (req: Request, res: Response) => {
    res.json(await flows.addFlow(callerOf(res), objectBody(req.body)));
  });

  router.put('/flow/:id', ...guards.needs('flows.write'), guards.json, async (req: Request, res: Response) => {
    res.json(await flows.updateFlow(callerOf(res), String(req.params.id), objectBody(req.body)));
  });

  router.delete('/flow/:id', ...guards.needs('flows.write'), async (req: Request, res: Response) => {
    await flows.deleteFlow(callerOf(res), String(req.params.id));
    res.status(204).end();
  });

  // The editor reads a node's credentials here: text values, and only `has_<name>` for passwords.
  router.get('/credentials/:type/:id', ...guards.needs('flows.read'), (req: Request, res: Response) => {
    const stored = flows.credentialsOf(callerOf(res), String(req.params.id));
    res.json(redactCredentials(registry.get(String(req.params.type))?.credentials, stored));
  });

  return router;
}
