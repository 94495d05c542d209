export * from './define-node.js';
export * from './node-api.js';
export * from './property-kinds.js';
