/** The server layer's public surface: the app, the HTTP server, comms and the runtime API services. */
export { createServerApp, normaliseRoot } from './app.js';
export type { ServerAppDeps, ServerAppOptions } from './app.js';
export type { AdminDeps } from './admin/admin-deps.js';
export { listen } from './http-server.js';
export type { HttpServerDeps, HttpServerOptions, RunningServer } from './http-server.js';
export { createComms } from './comms/comms-server.js';
export type { Comms, CommsDeps, CommsOptions } from './comms/comms-server.js';
export { createFlowsService } from './services/flows-service.js';
export type { FlowsService, FlowsServiceDeps, DeployRequest } from './services/flows-service.js';
export { createNodesService } from './services/nodes-service.js';
export type { NodesService, NodeSetInfo, ModuleInfo } from './services/nodes-service.js';
export { createRuntimeService } from './services/runtime-service.js';
export type { RuntimeService } from './services/runtime-service.js';
export type { Caller, Can, Credentials, FlowsStorage } from './services/types.js';
export { authenticate, requirePermission } from './http/authenticate.js';
export { parseSize } from './http/read-body.js';
export { toErrorResponse, statusForCode } from './error-map.js';
