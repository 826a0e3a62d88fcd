/**
 * The artifact store: one interface (`store.ts`), three backends, chosen from the edge's bindings
 * (`select.ts`), and one way to answer a download with ranges (`serve.ts`).
 * @module
 */
export { diskStore } from './disk-store.ts';
export { r2Store } from './r2-store.ts';
export { s3Store } from './s3-store.ts';
export { artifactStore, requireArtifactStore } from './select.ts';
export { mapStoreError, parseRange, serveArtifact } from './serve.ts';
export {
  type ArtifactStore,
  ArtifactStoreError,
  type ByteRange,
  type ObjectBody,
  type PutBody,
  type PutOptions,
  type StoredObject,
} from './store.ts';
