import { MAX_TILE_BYTES, MAX_TILE_SIZE } from '../limits.ts';
import { enumOf, tail, u16, u32, u53 } from '../wire/fields.ts';
import { channel, message } from './define.ts';

/** How an encoded tile's bytes are packed. Pixels are B, G, R, X (X ignored, alpha opaque). */
export const TILE_CODECS = { zstdBgrx: 1, rawBgrx: 2 } as const;

const col = u16;
const row = u16;

export const tilesChannel = channel({
  id: 0x07,
  name: 'tiles',
  doc: 'The lossless picture: a grid of square tiles. Commands between `frameBegin` and `frameEnd` form one atomic update the client shows at `frameEnd`.',
  messages: {
    gridConfig: message({
      tag: 0x01,
      dir: 's2c',
      doc: 'The display size and tile grid; resets the client picture and tile cache positions.',
      fields: { tileSize: u16, cols: u16, rows: u16, width: u16, height: u16 },
      validate: (v) => {
        if (v.tileSize < 16 || v.tileSize > MAX_TILE_SIZE) return 'tileSize out of range';
        if (v.cols !== Math.ceil(v.width / v.tileSize))
          return 'cols must be ceil(width / tileSize)';
        if (v.rows !== Math.ceil(v.height / v.tileSize))
          return 'rows must be ceil(height / tileSize)';
        return undefined;
      },
    }),
    frameBegin: message({
      tag: 0x02,
      dir: 's2c',
      doc: 'Starts frame `seq`; `timestampUs` is when the host captured it.',
      fields: { seq: u32, timestampUs: u53 },
    }),
    frameEnd: message({
      tag: 0x03,
      dir: 's2c',
      doc: 'Ends frame `seq`: the client presents everything since `frameBegin`.',
      fields: { seq: u32 },
    }),
    tileFill: message({
      tag: 0x04,
      dir: 's2c',
      doc: 'Tile (col, row) is one solid colour, `rgba` = 0xRRGGBBAA.',
      fields: { col, row, rgba: u32 },
    }),
    tileCached: message({
      tag: 0x05,
      dir: 's2c',
      requires: 'tileCache',
      doc: 'Tile (col, row) equals the cached tile with content hash `hash`; a client without it answers `cacheMiss`.',
      fields: { col, row, hash: u53 },
      validate: (v) => (v.hash === 0 ? 'hash 0 is never cached' : undefined),
    }),
    tileEncoded: message({
      tag: 0x06,
      dir: 's2c',
      doc: 'Tile (col, row) pixels, losslessly encoded with `codec`; `hash` ≠ 0 lets the client cache it.',
      fields: { col, row, hash: u53, codec: enumOf(TILE_CODECS), data: tail(MAX_TILE_BYTES) },
    }),
    copyRect: message({
      tag: 0x07,
      dir: 's2c',
      requires: 'copyRect',
      doc: 'Copy the already-shown pixels of a rectangle to another position (scrolling); new rows follow as tiles.',
      fields: { srcX: u16, srcY: u16, width: u16, height: u16, dstX: u16, dstY: u16 },
    }),
    cacheMiss: message({
      tag: 0x08,
      dir: 'c2s',
      requires: 'tileCache',
      doc: 'The client lacks the tile `tileCached` named; the host re-sends it encoded.',
      fields: { col, row, hash: u53 },
    }),
    refreshRequest: message({
      tag: 0x09,
      dir: 'c2s',
      doc: 'The client wants a full picture (after a decode error, or a long pause).',
      fields: { reason: enumOf({ join: 1, decodeError: 2, manual: 3, lagged: 4, resumed: 5 }) },
    }),
    frameAck: message({
      tag: 0x0a,
      dir: 'c2s',
      doc: 'The client presented frame `seq`; the host paces this client by its unacknowledged frames.',
      fields: { seq: u32, decodeMicros: u32 },
    }),
  },
});
