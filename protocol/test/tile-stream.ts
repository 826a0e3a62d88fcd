import { encodeMessage, type Message } from '../src/index.ts';
import { makeRandom } from './random.ts';

/**
 * A stream shaped like real tile traffic: frames of 20–60 commands, mostly encoded tiles of
 * 300–2,000 bytes, some fills and cache hits, bracketed by frameBegin/frameEnd.
 */
export function typicalTileStream(
  minBytes: number,
  seed = 1,
): {
  bytes: Uint8Array;
  messages: Message[];
} {
  const rand = makeRandom(seed);
  const messages: Message[] = [
    { type: 'gridConfig', tileSize: 64, cols: 20, rows: 12, width: 1280, height: 720 },
  ];
  const frames: Uint8Array[] = [encodeMessage(messages[0] as Message)];
  let total = frames[0]?.length ?? 0;
  let seq = 0;
  while (total < minBytes) {
    seq++;
    const batch: Message[] = [{ type: 'frameBegin', seq, timestampUs: seq * 33_333 }];
    const count = 20 + Math.floor(rand() * 40);
    for (let i = 0; i < count; i++) {
      const col = Math.floor(rand() * 20);
      const row = Math.floor(rand() * 12);
      const pick = rand();
      if (pick < 0.15) batch.push({ type: 'tileFill', col, row, rgba: 0xf0f0f0ff });
      else if (pick < 0.3)
        batch.push({ type: 'tileCached', col, row, hash: 1 + Math.floor(rand() * 2 ** 52) });
      else {
        const data = new Uint8Array(300 + Math.floor(rand() * 1700));
        for (let j = 0; j < data.length; j++) data[j] = Math.floor(rand() * 256);
        batch.push({
          type: 'tileEncoded',
          col,
          row,
          hash: 1 + Math.floor(rand() * 2 ** 52),
          codec: 'zstdBgrx',
          data,
        });
      }
    }
    batch.push({ type: 'frameEnd', seq });
    for (const m of batch) {
      const frame = encodeMessage(m);
      frames.push(frame);
      total += frame.length;
      messages.push(m);
    }
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const f of frames) {
    bytes.set(f, at);
    at += f.length;
  }
  return { bytes, messages };
}
