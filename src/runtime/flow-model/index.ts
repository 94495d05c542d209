export * from './parse-flows.js';
export * from './diff-flows.js';
