/**
 * @module
 * Credential bindings: secrets for workflow runs, sealed with envelope encryption (keys/),
 * owner-scoped (`bindings`), granted to runs and resolved only by the run's worker (`grants`),
 * re-wrapped after a key rotation (`rewrap`).
 */
export * from './bindings.ts';
export * from './grants.ts';
export { rewrapAll } from './rewrap.ts';
export { chosenProvider, secretStore, storeFor } from './store.ts';
