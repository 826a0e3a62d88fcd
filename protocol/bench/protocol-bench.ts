/**
 * Protocol micro-benchmark: encode and decode throughput for tile traffic and input events.
 * Usage: npm run bench -w protocol [-- --seconds 2]
 * Writes test/bench/results/protocol.json (decode_mb_s, encode_mb_s, …).
 */
import { performance } from 'node:perf_hooks';
import { writeBenchResult } from '../../test/bench/results.ts';
import { createFrameDecoder, decodeFrame, encodeMessage, type Message } from '../src/index.ts';
import { typicalTileStream } from '../test/tile-stream.ts';

if (process.argv.includes('--help')) {
  console.log('usage: npm run bench -w protocol [-- --seconds N]   (default 1.5 s per case)');
  process.exit(0);
}
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 1.5;

/** Runs `fn` repeatedly for SECONDS; returns bytes processed per second in MB/s. */
function throughput(label: string, bytesPerRun: number, fn: () => void): number {
  fn(); // warm up
  let runs = 0;
  const start = performance.now();
  const until = start + SECONDS * 1000;
  while (performance.now() < until) {
    fn();
    runs++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const mbs = (runs * bytesPerRun) / elapsed / 1e6;
  console.log(`${label.padEnd(28)} ${mbs.toFixed(1).padStart(8)} MB/s  (${runs} runs)`);
  return mbs;
}

function concat(frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

function decodeAll(stream: Uint8Array, chunk: number): number {
  const decoder = createFrameDecoder();
  let n = 0;
  for (let at = 0; at < stream.length; at += chunk) {
    for (const frame of decoder.feed(stream.subarray(at, at + chunk))) {
      decodeFrame(frame);
      n++;
    }
  }
  return n;
}

const tiles = typicalTileStream(4 * 1024 * 1024);
const inputMessages: Message[] = [];
for (let i = 0; i < 20_000; i++) {
  inputMessages.push(
    i % 4 === 0
      ? { type: 'keyEvent', down: i % 8 === 0, code: 'KeyA', key: 'a', modifiers: 0, repeat: false }
      : { type: 'pointerMove', x: i % 1280, y: i % 720 },
  );
}
const inputStream = concat(inputMessages.map(encodeMessage));

console.log(
  `protocol bench: ${(tiles.bytes.length / 1e6).toFixed(1)} MB of tile frames, ${inputMessages.length} input events`,
);
const tileEncode = throughput('encode tile frames', tiles.bytes.length, () => {
  for (const m of tiles.messages) encodeMessage(m);
});
const tileDecode = throughput('decode tile frames (64 KiB)', tiles.bytes.length, () =>
  decodeAll(tiles.bytes, 64 * 1024),
);
const inputEncode = throughput('encode input frames', inputStream.length, () => {
  for (const m of inputMessages) encodeMessage(m);
});
const inputDecode = throughput('decode input frames (64 KiB)', inputStream.length, () =>
  decodeAll(inputStream, 64 * 1024),
);
const inputEventsPerSec = (inputDecode * 1e6 * inputMessages.length) / inputStream.length;

const path = writeBenchResult('protocol', {
  decode_mb_s: Math.round(tileDecode * 10) / 10,
  encode_mb_s: Math.round(tileEncode * 10) / 10,
  input_decode_mb_s: Math.round(inputDecode * 10) / 10,
  input_encode_mb_s: Math.round(inputEncode * 10) / 10,
  input_decode_events_per_s: Math.round(inputEventsPerSec),
});
console.log(`wrote ${path}`);
