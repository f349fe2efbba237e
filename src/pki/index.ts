/** The `ca` role's public surface, for src/cli (other roles reach the CA over HTTPS only). */
export { startCa, type CaHandle } from './main.js';
export { caConfigSchema, DEFAULT_CA_PORT, type CaConfig, type CaConfigInput, type LifetimePolicy } from './config.js';
export { initCa, DEFAULT_PROVISIONER, type InitCaOptions, type InitCaResult } from './init.js';
export { caInit, caFingerprint, caToken, type CaTokenOptions } from './commands.js';
export { caLayout, type CaLayout } from './layout.js';
export {
  auditLog,
  bootstrapRoot,
  endpointOf,
  fetchCrl,
  listCertificates,
  renewWithCertificate,
  revokeSerial,
  signWithToken,
  takeRootOffline,
  type InventoryRow,
} from './operator.js';
