/**
 * Tiles: grid math, content hash, lossless tile codec, frame diffing, scroll detection and the
 * stateful frame encoder that turns frames into `FrameUpdate`s. Pure functions over buffers; no X.
 * @module
 */
export { diffRows, diffTiles } from './frame-diff.ts';
export { type EncodeStats, FrameEncoder, type FrameEncoderOptions } from './frame-encoder.ts';
export {
  findScrollCandidates,
  hashedSpan,
  hashRows,
  RowHashes,
  type ScrollCandidate,
  type ScrollDetectOptions,
  type ScrollRegion,
  type ScrollRun,
} from './scroll-detect.ts';
export { DEFAULT_ZSTD_LEVEL, encodeTilePixels } from './tile-codec.ts';
export { bgrxToRgba, EncodedTileCache, extractTile, makeTileUpdate } from './tile-factory.ts';
export {
  type Band,
  clipRect,
  damageBands,
  gridFor,
  type Rect,
  TILE_SIZE,
  tileRect,
} from './tile-grid.ts';
export { hash53 } from './tile-hash.ts';
