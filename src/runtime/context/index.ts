/** Context: node, flow and global scopes over memory and file stores. */
export { createContextManager } from './context-manager.js';
export type { ContextManager, ContextManagerOptions, ContextStoreFactory, ContextStoreSetting } from './context-manager.js';
export { createMemoryStore } from './memory-store.js';
export type { MemoryStore } from './memory-store.js';
export { createFileStore } from './file-store.js';
export type { CorruptContextFile, FileStore, FileStoreOptions, FileStoreTimers } from './file-store.js';
export { isScopeActive } from './context-store.js';
export type { ContextGetCallback, ContextKeysCallback, ContextSetCallback, ContextStore } from './context-store.js';
export { createContextScope, createRootScope } from './context-scope.js';
export type { ScopeDeps, ScopeHandle } from './context-scope.js';
