/** The security layer's public surface: other layers import from here only. */
export * from './types.js';
export * from './permissions.js';
export * from './passwords.js';
export * from './password-policy.js';
export * from './sessions.js';
export * from './login-limiter.js';
export * from './setup-token.js';
export * from './auth-service.js';
export * from './audit-log.js';
export * from './credential-vault.js';
export * from './credential-editor.js';
export * from './totp.js';
export * from './recovery-codes.js';
export * from './second-factor.js';
