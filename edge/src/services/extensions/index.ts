/**
 * Approved extensions: the owner's uploads and decisions, and the ones a session is created with.
 * @module
 */
export {
  decideExtension,
  deleteExtension,
  extensionNotFound,
  extensionResource,
  extensionStorageKey,
  listExtensions,
  loadExtension,
  uploadExtension,
} from './extensions.ts';
export { resolveSessionExtensions } from './session-extensions.ts';
