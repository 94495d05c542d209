export { openDatabase } from './database.js';
export type { Db } from './database.js';
export { createUserStore } from './users-store.js';
export { createSessionStore } from './sessions-store.js';
