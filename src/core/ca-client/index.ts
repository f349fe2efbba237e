export * from './client.js';
export * from './token.js';
