export * from './client.js';
export * from './crl.js';
export * from './identity.js';
export * from './keys.js';
export * from './server.js';
export * from './spiffe.js';
