/**
 * Extension archives: the strict ZIP reader and the manifest rules the edge checks an upload with
 * and the host unpacks it by (`@browserpane/api/extension-archive`).
 * @module
 */
export {
  EXTENSION_LIMITS,
  type ExtensionManifest,
  type InspectedArchive,
  inspectExtensionArchive,
  ManifestError,
} from './manifest.ts';
export {
  checkEntryName,
  crc32,
  readEntry,
  readZip,
  type ZipEntry,
  ZipError,
  type ZipLimits,
  type ZipProblem,
} from './zip.ts';
export { writeZip, type ZipInput } from './zip-writer.ts';
