/**
 * Tile codec comparison on real captured tiles: zstd levels vs zlib deflate vs raw, on the
 * non-solid 64×64 tiles of the test article at several scroll positions (text, tables, cards,
 * the browser toolbar). Run: node_modules/.bin/tsx host-pool/bench/codec-bench.ts
 */
import { deflateRawSync } from 'node:zlib';
import { Compressor } from 'zstd-napi';
import { XConnection } from '../src/capture/index.ts';
import { extractTile, gridFor, tileRect } from '../src/encode/index.ts';
import { median, p95, sleep, startBenchEnv } from './bench-env.ts';

const env = await startBenchEnv();
const tiles: { packed: Buffer; kind: 'page' | 'toolbar' }[] = [];
try {
  const x = await XConnection.open(env.runtime.display, {
    auth: env.runtime.xAuthCookie,
    shm: false,
  });
  const chromeHeight = 720 - (await env.evaluate<number>('innerHeight'));
  for (const y of [0, 900, 1800, 2700, 3600]) {
    await env.evaluate(`scrollTo(0, ${y})`);
    await sleep(300);
    const frame = await x.getImage(0, 0, 1280, 720);
    const grid = gridFor(1280, 720);
    for (let r = 0; r < grid.rows; r++)
      for (let c = 0; c < grid.cols; c++) {
        const rect = tileRect(grid, c, r);
        if (y > 0 && rect.y + rect.height <= chromeHeight) continue; // toolbar once
        const packed = extractTile(frame, 1280 * 4, rect);
        const w = new Uint32Array(packed.buffer, packed.byteOffset, packed.length / 4);
        if (w.every((v) => (v & 0xffffff) === ((w[0] as number) & 0xffffff))) continue;
        tiles.push({ packed, kind: rect.y < chromeHeight ? 'toolbar' : 'page' });
      }
  }
  await x.close();
} finally {
  await env.close();
}

type Codec = { name: string; run: (b: Buffer) => Uint8Array };
const zstd = (level: number): Codec => {
  const c = new Compressor();
  c.setParameters({ compressionLevel: level, checksumFlag: false, dictIDFlag: false });
  return { name: `zstd ${level}`, run: (b) => c.compress(b) };
};
const codecs: Codec[] = [
  { name: 'raw', run: (b) => b },
  zstd(-5),
  zstd(-1),
  zstd(1),
  zstd(2),
  zstd(3),
  zstd(6),
  zstd(9),
  zstd(19),
  { name: 'deflate 1', run: (b) => deflateRawSync(b, { level: 1 }) },
  { name: 'deflate 6', run: (b) => deflateRawSync(b, { level: 6 }) },
  { name: 'deflate 9', run: (b) => deflateRawSync(b, { level: 9 }) },
];

const pageCount = tiles.filter((t) => t.kind === 'page').length;
console.log(
  `${tiles.length} non-solid tiles (${pageCount} page, ${tiles.length - pageCount} toolbar), raw 16,384 B each (edge tiles smaller)\n`,
);
console.log(
  '| codec | bytes median | bytes p95 | total KB | ratio | ms/tile median | ms/tile p95 |',
);
console.log('|---|---|---|---|---|---|---|');
const rawTotal = tiles.reduce((n, t) => n + t.packed.length, 0);
for (const codec of codecs) {
  for (let i = 0; i < 20; i++) codec.run(tiles[i % tiles.length]?.packed as Buffer); // warm up
  const sizes: number[] = [];
  const times: number[] = [];
  for (const t of tiles) {
    let best = Number.POSITIVE_INFINITY;
    let size = 0;
    for (let rep = 0; rep < 5; rep++) {
      const t0 = process.hrtime.bigint();
      size = codec.run(t.packed).length;
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
    }
    sizes.push(size);
    times.push(best);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  console.log(
    `| ${codec.name} | ${median(sizes)} | ${p95(sizes)} | ${(total / 1024).toFixed(0)} | ${(rawTotal / total).toFixed(1)} | ${median(times).toFixed(4)} | ${p95(times).toFixed(4)} |`,
  );
}
