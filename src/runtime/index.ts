/** The flow engine's public surface. */
export * from './definition/index.js';
export * from './flow-model/index.js';
export { createRegistry } from './registry.js';
export type { Registry, TypeEntry, NodeConstructor } from './registry.js';
export { createEngine } from './engine/engine.js';
export type { Engine, EngineOptions, DeploymentType, SetFlowsOptions } from './engine/engine.js';
export { RuntimeNode } from './engine/runtime-node.js';
export { findInvalidNodes } from './engine/validate-flows.js';
export { describeNodeIssues, type LeftOutNode } from './engine/left-out-nodes.js';
export { findWaitingConfigs, missingTypesOf } from './engine/missing-types.js';
export type * from './types.js';
export type { Hooks, HooksApi, HookFunction, HookName } from './hooks/index.js';
export type { CompleteEvent, ReceiveEvent, SendEvent } from './engine/hooked-messaging.js';
