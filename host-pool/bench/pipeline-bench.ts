/**
 * Per-frame host work of the display pipeline on a real 1280×720 session (Xvfb + Chromium showing
 * the test article): capture (MIT-SHM grab of the damaged rows), diff, scroll detection, tile
 * extraction + hash, zstd encode, bytes on the wire, tiles per frame — for idle, typing and wheel
 * scrolling — plus keystroke → FrameUpdate latency, scroll-detection hit rate and the cost of a
 * full picture. Prints markdown tables.
 *
 * Run: node_modules/.bin/tsx host-pool/bench/pipeline-bench.ts
 */
import { encodeMessage } from '@browserpane/protocol';
import { DisplayFrameSource, XConnection } from '../src/capture/index.ts';
import { FrameEncoder } from '../src/encode/index.ts';
import { InputInjector } from '../src/input/index.ts';
import type { FrameUpdate } from '../src/types.ts';
import { median, p95, sleep, startBenchEnv } from './bench-env.ts';

interface FrameRow {
  grabMs: number;
  diffMs: number;
  scrollMs: number;
  tilesMs: number;
  encodeMs: number;
  bytes: number;
  tiles: number;
  fills: number;
  copies: number;
  changedTiles: number;
}

/** Encodes every tile (what the relay does for a client without the tile cached). */
function wire(update: FrameUpdate): { bytes: number; encodeMs: number } {
  let bytes = encodeMessage({
    type: 'frameBegin',
    seq: update.seq,
    timestampUs: update.timestampUs,
  }).length;
  bytes += encodeMessage({ type: 'frameEnd', seq: update.seq }).length;
  for (const c of update.copies) bytes += encodeMessage({ type: 'copyRect', ...c }).length;
  let encodeMs = 0;
  for (const t of update.tiles) {
    if (t.kind === 'fill') {
      bytes += encodeMessage({ type: 'tileFill', col: t.col, row: t.row, rgba: t.rgba }).length;
      continue;
    }
    const t0 = performance.now();
    const enc = t.encode();
    encodeMs += performance.now() - t0;
    bytes += encodeMessage({
      type: 'tileEncoded',
      col: t.col,
      row: t.row,
      hash: t.hash,
      codec: enc.codec,
      data: enc.data,
    }).length;
  }
  return { bytes, encodeMs };
}

const env = await startBenchEnv();
const source = await DisplayFrameSource.open({
  display: env.runtime.display,
  auth: env.runtime.xAuthCookie,
});
const input = await InputInjector.open({
  display: env.runtime.display,
  auth: env.runtime.xAuthCookie,
});
let rows: FrameRow[] = [];
let arrivals: Array<{ at: number; update: FrameUpdate }> = [];
source.onFrame((u) => {
  const at = performance.now();
  const st = source.encoder.stats;
  const { bytes, encodeMs } = wire(u);
  rows.push({
    grabMs: source.timing.grabMs,
    diffMs: st.diffMs,
    scrollMs: st.scrollMs,
    tilesMs: st.tilesMs,
    encodeMs,
    bytes,
    tiles: u.tiles.length,
    fills: u.tiles.filter((t) => t.kind === 'fill').length,
    copies: u.copies.length,
    changedTiles: st.changedTiles,
  });
  arrivals.push({ at, update: u });
});

async function phase<T>(
  run: () => Promise<T>,
): Promise<{ rows: FrameRow[]; cpuMs: number; ms: number; result: T }> {
  await sleep(800);
  rows = [];
  arrivals = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await run();
  await sleep(300);
  const cpu = process.cpuUsage(cpu0);
  // a copy: frames arriving after the phase belong to the next one
  return {
    rows: [...rows],
    cpuMs: (cpu.user + cpu.system) / 1000,
    ms: performance.now() - t0,
    result,
  };
}

const chromeHeight = 720 - (await env.evaluate<number>('innerHeight'));
const pad = await env.evaluate<{ x: number; y: number }>(
  '(() => { const r = document.getElementById("pad").getBoundingClientRect(); return { x: r.x + 30, y: r.y + 30 }; })()',
);
await input.apply({
  type: 'pointerButton',
  button: 'left',
  down: true,
  x: pad.x,
  y: pad.y + chromeHeight,
  modifiers: 0,
});
await input.apply({
  type: 'pointerButton',
  button: 'left',
  down: false,
  x: pad.x,
  y: pad.y + chromeHeight,
  modifiers: 0,
});
await sleep(500);

// idle: the caret blinks in the focused textarea; blur it for a truly idle page
await env.evaluate('document.activeElement.blur()');
for (
  let quietSince = performance.now(), seen = arrivals.length;
  performance.now() - quietSince < 1000;
) {
  await sleep(50);
  if (arrivals.length !== seen) {
    seen = arrivals.length;
    quietSince = performance.now();
  }
}
const idle = await phase(() => sleep(3000));
await env.evaluate('document.getElementById("pad").focus()');

// typing: 40 keys, ~8 per second; latency = keydown sent → first update touching the textarea
const padRow = Math.floor((pad.y + chromeHeight) / 64);
const latencies: number[] = [];
const typing = await phase(async () => {
  const text = 'the quick brown fox jumps over the lazy d';
  for (const ch of text) {
    const code = ch === ' ' ? 'Space' : `Key${ch.toUpperCase()}`;
    const mark = arrivals.length;
    const sent = performance.now();
    await input.apply({ type: 'keyEvent', down: true, code, key: ch, modifiers: 0, repeat: false });
    await input.apply({
      type: 'keyEvent',
      down: false,
      code,
      key: ch,
      modifiers: 0,
      repeat: false,
    });
    const deadline = sent + 500;
    while (performance.now() < deadline) {
      const hit = arrivals
        .slice(mark)
        .find((a) => a.update.tiles.some((t) => Math.abs(t.row - padRow) <= 1));
      if (hit) {
        latencies.push(hit.at - sent);
        break;
      }
      await sleep(1);
    }
    await sleep(120);
  }
});

// scrolling: 20 wheel clicks, 10 per second, over the article
await env.evaluate('document.activeElement.blur(); scrollTo(0, 0)');
await input.apply({ type: 'pointerMove', x: 600, y: 450 });
const scrolling = await phase(async () => {
  for (let i = 0; i < 20; i++) {
    await input.apply({ type: 'wheel', x: 600, y: 450, deltaX: 0, deltaY: 120, modifiers: 0 });
    await sleep(100);
  }
});

// full picture (a joining client): every tile hashed and encoded with a cold encoded-tile cache
await env.evaluate('scrollTo(0, 1500)');
await sleep(500);
const x = await XConnection.open(env.runtime.display, {
  auth: env.runtime.xAuthCookie,
  shm: false,
});
const frame = await x.getImage(0, 0, 1280, 720);
await x.close();
const fullRuns = Array.from({ length: 7 }, () => {
  const t0 = performance.now();
  const update = new FrameEncoder(1280, 720).encodeFull(frame, 0);
  const buildMs = performance.now() - t0;
  return { update, buildMs, ...wire(update) };
});
const snap = fullRuns[0]?.update as FrameUpdate;
const snapMs = median(fullRuns.map((r) => r.buildMs));
const snapWire = {
  bytes: fullRuns[0]?.bytes ?? 0,
  encodeMs: median(fullRuns.map((r) => r.encodeMs)),
};

const cpuPerFrame = (p: { rows: FrameRow[]; cpuMs: number }) =>
  p.rows.length ? (p.cpuMs / p.rows.length).toFixed(2) : '—';
const fmt = (xs: number[], digits = 2) =>
  `${median(xs).toFixed(digits)} / ${p95(xs).toFixed(digits)}`;
const col = (p: { rows: FrameRow[] }, key: keyof FrameRow, digits = 2) =>
  p.rows.length
    ? fmt(
        p.rows.map((r) => r[key]),
        digits,
      )
    : '—';

console.log(
  `\n## Pipeline, 1280×720, MIT-SHM ${source.usesShm ? 'on' : 'off'} (median / p95 per frame)\n`,
);
console.log('| | idle (3 s) | typing (41 keys) | scrolling (20 wheel clicks) |');
console.log('|---|---|---|---|');
const ps = [idle, typing, scrolling];
const line = (label: string, f: (p: (typeof ps)[number]) => string) =>
  console.log(`| ${label} | ${ps.map(f).join(' | ')} |`);
line('frames', (p) => String(p.rows.length));
line('capture (grab) ms', (p) => col(p, 'grabMs'));
line('diff ms', (p) => col(p, 'diffMs'));
line('scroll detection ms', (p) => col(p, 'scrollMs'));
line('tile extract + hash ms', (p) => col(p, 'tilesMs'));
line('zstd encode ms', (p) => col(p, 'encodeMs'));
line('changed tiles', (p) => col(p, 'changedTiles', 0));
line('tiles sent', (p) => col(p, 'tiles', 0));
line('of which fills', (p) => col(p, 'fills', 0));
line('copy-rects', (p) => col(p, 'copies', 0));
line('bytes per frame', (p) => col(p, 'bytes', 0));
line('node CPU ms per frame (all work)', cpuPerFrame);
line('node CPU % of one core during the phase', (p) => ((100 * p.cpuMs) / p.ms).toFixed(1));
line('kbit/s during the phase', (p) =>
  ((p.rows.reduce((n, r) => n + r.bytes, 0) * 8) / p.ms).toFixed(0),
);

const scrollFrames = scrolling.rows.filter((r) => r.changedTiles >= 8);
const hits = scrollFrames.filter((r) => r.copies > 0).length;
const savedTiles = scrollFrames.reduce((n, r) => n + r.changedTiles - r.tiles, 0);
console.log(
  `\nScroll detection: ${hits} of ${scrollFrames.length} scroll frames sent as copy-rects (${((100 * hits) / Math.max(1, scrollFrames.length)).toFixed(0)} %), ${savedTiles} tiles not sent (of ${scrollFrames.reduce((n, r) => n + r.changedTiles, 0)} changed).`,
);
console.log(
  `Keystroke → FrameUpdate (XTEST keydown sent → update with the textarea's tiles): median ${median(latencies).toFixed(1)} ms, p95 ${p95(latencies).toFixed(1)} ms, n=${latencies.length}.`,
);
console.log(
  `Full picture (${snap.tiles.length} tiles, cold encode cache, median of 7): extract + hash ${snapMs.toFixed(2)} ms, zstd ${snapWire.encodeMs.toFixed(2)} ms, ${(snapWire.bytes / 1024).toFixed(0)} KB on the wire, ${snap.tiles.filter((t) => t.kind === 'fill').length} fills.`,
);

await input.close();
await source.close();
await env.close();
