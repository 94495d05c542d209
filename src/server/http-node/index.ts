/** The server side of the http-in and websocket-listener endpoints. */
export { createHttpNodeRouter, httpNodeRouterOptions } from './http-node-router.js';
export type { DispatchHooks, HttpNodeRouter, HttpNodeRouterOptions } from './http-node-router.js';
export type { CorsOptions } from './cors.js';
export type { BasicAuthOptions, VerifyPassword } from './basic-auth.js';
export { parseByteSize } from './byte-size.js';
