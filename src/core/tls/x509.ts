/**
 * The one import point for @peculiar/x509. It needs the Reflect metadata polyfill loaded before it
 * and a WebCrypto provider; importing it from here guarantees both, whatever the import order
 * elsewhere. Use `import { x509 } from '…/core/tls/x509.js'`.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export type X509Crypto = Parameters<typeof x509.cryptoProvider.set>[0];
x509.cryptoProvider.set(webcrypto as unknown as X509Crypto);

export { x509 };
