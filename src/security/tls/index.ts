/** TLS: certificate files, their reload, and self-signed certificates for LAN use. */
export * from './tls-material.js';
export * from './tls-reloader.js';
export * from './self-signed.js';
