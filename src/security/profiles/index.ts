/** Deployment profiles: the table, the start-time check and its enforcement. */
export * from './profile-table.js';
export * from './check-profile.js';
export * from './enforce-profile.js';
