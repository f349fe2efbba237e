export * from './eab.js';
export * from './http01-responder.js';
export * from './issuer.js';
