// Per-verb overhead of the runtime on the `local` vendor: the median wall time of each verb through
// the binary (writing a one-verb slice → reading its verb.complete) against the same Playwright call
// made directly on an equivalent page, plus the runtime's own duration_ms. One browser at a time:
// short runtime and direct rounds alternate, so load drift on a shared machine hits both sides.
// Writes test/bench/results/automation.json.
//
//   npm run bench -w wb-browser-runtime [-- --iterations 10 --rounds 4 --warmup 3]

import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import { percentile, writeBenchResult } from '../../../test/bench/results.ts';
import { type Frame, Sidecar } from '../test/helpers/sidecar.ts';
import { type Site, startSite } from '../test/helpers/site.ts';
import { tempDir } from '../test/helpers/tmp.ts';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3' },
  },
});
const ITERATIONS = Number(values.iterations);
const ROUNDS = Number(values.rounds);
/** Untimed calls per verb and round first (a fresh runtime process starts with cold JIT). */
const WARMUP = Number(values.warmup);
const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

interface Case {
  name: string;
  /** Page the verb runs on (navigated to once per round, untimed). */
  setup: string;
  verb: (site: Site) => unknown;
  direct: (page: Page, site: Site, dir: string, i: number) => Promise<unknown>;
}

async function atomicWrite(dir: string, name: string, data: string | Buffer): Promise<void> {
  const tmp = join(dir, `.${name}.tmp`);
  await writeFile(tmp, data);
  await rename(tmp, join(dir, name));
}

const CASES: Case[] = [
  {
    name: 'goto',
    setup: '/form',
    verb: (site) => ({ goto: `${site.url}/list` }),
    direct: (page, site) =>
      page.goto(`${site.url}/list`, { waitUntil: 'domcontentloaded', timeout: 30_000 }),
  },
  {
    name: 'fill',
    setup: '/form',
    verb: () => ({ fill: { selector: '#name', value: 'Alice Smith' } }),
    direct: (page) => page.fill('#name', 'Alice Smith', { timeout: 10_000 }),
  },
  {
    name: 'click',
    setup: '/form',
    verb: () => ({ click: '#submit' }),
    direct: (page) => page.click('#submit', { timeout: 10_000 }),
  },
  {
    name: 'press',
    setup: '/form',
    verb: () => ({ press: { key: 'a', selector: '#notes' } }),
    direct: (page) => page.press('#notes', 'a', { timeout: 5_000 }),
  },
  {
    name: 'wait_for',
    setup: '/form',
    verb: () => ({ wait_for: '#submit' }),
    direct: (page) => page.waitForSelector('#submit', { state: 'visible', timeout: 15_000 }),
  },
  {
    name: 'wait_for_network_idle',
    setup: '/form',
    verb: () => 'wait_for_network_idle',
    direct: (page) => page.waitForLoadState('networkidle', { timeout: 30_000 }),
  },
  {
    name: 'screenshot',
    setup: '/form',
    verb: () => ({ screenshot: 'bench.png' }),
    direct: async (page, _site, dir) =>
      atomicWrite(dir, 'bench.png', await page.screenshot({ timeout: 30_000 })),
  },
  {
    name: 'extract',
    setup: '/list',
    verb: () => ({ extract: { selector: '.row', fields: { name: '.name', price: '.price' } } }),
    direct: (page) =>
      page.$$eval(
        '.row',
        new Function(
          'return (rows, fields) => rows.map((row) => Object.fromEntries(Object.entries(fields).map(([k, s]) => [k, (row.querySelector(s)?.textContent ?? "").trim()])))',
        )(),
        { name: '.name', price: '.price' },
      ),
  },
  {
    name: 'assert',
    setup: '/list',
    verb: () => ({ assert: { selector: '.row', text_contains: 'Alpha' } }),
    direct: async (page) => {
      const element = await page.$('.row');
      const text = await element?.textContent();
      if (!text?.includes('Alpha')) throw new Error('assert');
      await element?.dispose();
    },
  },
  {
    name: 'eval',
    setup: '/list',
    verb: () => ({ eval: 'return document.title' }),
    direct: (page) => page.evaluate('(async () => { return document.title\n})()'),
  },
  {
    name: 'save',
    setup: '/list',
    verb: () => ({ save: { name: 'bench', value: { rows: [1, 2, 3] } } }),
    direct: (_page, _site, dir) =>
      atomicWrite(dir, 'bench.json', JSON.stringify({ rows: [1, 2, 3] }, null, 2)),
  },
  {
    name: 'announce_artifact',
    setup: '/list',
    verb: () => ({ announce_artifact: { path: 'bench.json', label: 'Bench' } }),
    direct: (_page, _site, dir) =>
      atomicWrite(dir, 'bench.json.meta.json', JSON.stringify({ label: 'Bench' }, null, 2)),
  },
  {
    name: 'download',
    setup: '/downloads',
    verb: () => ({ download: '#file' }),
    direct: async (page, _site, dir, i) => {
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 10_000 }),
        page.click('#file', { timeout: 10_000 }),
      ]);
      const target = join(dir, `direct-${i}.csv`);
      await download.saveAs(`${target}.tmp`);
      await rename(`${target}.tmp`, target);
    },
  },
];

const runtimeWall = new Map<string, number[]>();
/** wall − duration_ms per sample: stdio, JSON, dispatch, substitution and frame writing. */
const protocol = new Map<string, number[]>();
const runtimeDuration = new Map<string, number[]>();
const direct = new Map<string, number[]>();
/** Runtime-only figures: handshake, session start, pause_for_human wall time. */
const extra = new Map<string, number[]>();
const push = (map: Map<string, number[]>, key: string, value: number) => {
  map.set(key, [...(map.get(key) ?? []), value]);
};

async function runtimeRound(site: Site): Promise<void> {
  const artifacts = tempDir('wb-bench-');
  const spawned = performance.now();
  const sidecar = new Sidecar({
    WB_BROWSER_VENDOR: 'local',
    WB_ARTIFACTS_DIR: artifacts.path,
    WB_LOG_LEVEL: 'warn',
  });
  await sidecar.hello();
  push(extra, 'handshake_ms', performance.now() - spawned);
  const first = await sidecar.slice({ session: 'bench', verbs: [] });
  const timings = (first[0] as Frame).timings as { total_ms: number };
  push(extra, 'session_start_ms', timings.total_ms);
  for (const c of CASES) {
    await sidecar.slice({ session: 'bench', verbs: [{ goto: `${site.url}${c.setup}` }] });
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const sent = performance.now();
      sidecar.send({ type: 'slice', session: 'bench', verbs: [c.verb(site)] });
      const frames = await sidecar.collect();
      const done = frames.find((f) => f.type === 'verb.complete');
      if (!done) throw new Error(`${c.name}: ${JSON.stringify(frames)}`);
      if (i < WARMUP) continue;
      const wall = (sidecar.arrivedAt.get(done) as number) - sent;
      push(runtimeWall, c.name, wall);
      push(runtimeDuration, c.name, done.duration_ms as number);
      push(protocol, c.name, wall - (done.duration_ms as number));
    }
  }
  // pause_for_human has no Playwright counterpart: its wall time is all runtime
  for (let i = 0; i < ITERATIONS; i++) {
    const sent = performance.now();
    sidecar.send({ type: 'slice', session: 'bench', verbs: [{ pause_for_human: 'bench' }] });
    const frames = await sidecar.collect();
    push(
      extra,
      'pause_for_human_wall_ms',
      (sidecar.arrivedAt.get(frames.at(-1) as Frame) as number) - sent,
    );
  }
  await sidecar.shutdown();
  artifacts.remove();
}

async function directRound(site: Site): Promise<void> {
  const dir = tempDir('wb-bench-direct-');
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  for (const c of CASES) {
    await page.goto(`${site.url}${c.setup}`);
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const started = performance.now();
      await c.direct(page, site, dir.path, i);
      if (i >= WARMUP) push(direct, c.name, performance.now() - started);
    }
  }
  await browser.close();
  dir.remove();
}

const round2 = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const site = await startSite();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await runtimeRound(site);
      await directRound(site);
    }
  } finally {
    await site.close();
  }
  const result: Record<string, number> = {};
  const overheads: number[] = [];
  const rows: string[][] = [
    ['verb', 'runtime wall', 'duration_ms', 'direct', 'overhead', 'wall−duration'],
  ];
  for (const c of CASES) {
    const wall = percentile(runtimeWall.get(c.name) ?? [], 50);
    const duration = percentile(runtimeDuration.get(c.name) ?? [], 50);
    const base = percentile(direct.get(c.name) ?? [], 50);
    const overhead = wall - base;
    overheads.push(overhead);
    result[`${c.name}_runtime_wall_median_ms`] = round2(wall);
    result[`${c.name}_runtime_duration_median_ms`] = round2(duration);
    result[`${c.name}_direct_median_ms`] = round2(base);
    result[`${c.name}_overhead_median_ms`] = round2(overhead);
    const stdio = percentile(protocol.get(c.name) ?? [], 50);
    result[`${c.name}_wall_minus_duration_median_ms`] = round2(stdio);
    rows.push([
      c.name,
      wall.toFixed(2),
      duration.toFixed(0),
      base.toFixed(2),
      overhead.toFixed(2),
      stdio.toFixed(2),
    ]);
  }
  result.verb_overhead_median_ms = round2(percentile(overheads, 50));
  result.verb_wall_minus_duration_median_ms = round2(
    percentile(
      CASES.map((c) => percentile(protocol.get(c.name) ?? [], 50)),
      50,
    ),
  );
  result.verb_overhead_max_ms = round2(Math.max(...overheads));
  for (const [key, samples] of extra)
    result[`${key.replace(/_ms$/, '')}_median_ms`] = round2(percentile(samples, 50));
  result.iterations_per_verb = ITERATIONS * ROUNDS;
  const path = writeBenchResult('automation', result);
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  for (const row of rows)
    console.log(row.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  '));
  console.log(
    `\nverb overhead median ${result.verb_overhead_median_ms} ms (max ${result.verb_overhead_max_ms} ms)`,
  );
  console.log(
    `handshake ${result.handshake_median_ms} ms, session start ${result.session_start_median_ms} ms, pause_for_human ${result.pause_for_human_wall_median_ms} ms`,
  );
  console.log(`wrote ${path}`);
}

await main();
