export { createHooks, MESSAGE_HOOKS, MODULE_HOOKS, type Hooks, type HooksApi, type HooksDeps, type HookName, type MessageHookName } from './hooks.js';
export type { HookDone, HookFunction } from './hook-chain.js';
