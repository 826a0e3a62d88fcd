/**
 * `npm run bench`: every benchmark, one after another (each in its own process so one cannot warm
 * or starve the next), with progress, then a summary of test/bench/results/*.json.
 *
 *   npm run bench [-- --only liveview,media] [-- --quick]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULTS_DIR } from './results.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Bench {
  name: string;
  script: string;
  what: string;
  quickArgs?: string[];
}

export const BENCHES: Bench[] = [
  {
    name: 'protocol',
    script: 'protocol/bench/protocol-bench.ts',
    what: 'codec throughput and input events/s',
  },
  {
    name: 'edge',
    script: 'edge/bench/tickets.ts',
    what: 'connect tickets/s under workerd at p99 ≤ 25 ms',
    quickArgs: ['--quick'],
  },
  {
    name: 'liveview',
    script: 'test/bench/liveview-bench.ts',
    what: 'typing, scrolling and idle bandwidth, key→pixel latency vs CDP screencast',
    quickArgs: ['--seconds', '4'],
  },
  {
    name: 'media',
    script: 'test/bench/media-bench.ts',
    what: 'ROI video, full-screen video and audio vs CDP screencast',
    quickArgs: ['--seconds', '6'],
  },
  {
    name: 'audio',
    script: 'test/bench/audio-bench.ts',
    what: 'desktop audio on the wire, playing and silent, vs uncompressed PCM',
    quickArgs: ['--seconds', '5'],
  },
  {
    name: 'pool',
    script: 'test/bench/pool-bench.ts',
    what: 'create → first picture with a warm runtime vs a cold start',
    quickArgs: ['--rounds', '2'],
  },
  {
    name: 'sandbox',
    script: 'test/bench/sandbox-bench.ts',
    what: 'session start-up time and memory in the sandbox vs unsandboxed',
    quickArgs: ['--rounds', '2'],
  },
  {
    name: 'profiles',
    script: 'test/bench/profile-bench.ts',
    what: 'portable profile archive size and restore time vs plain tar and the directory; memory per idle session',
    quickArgs: ['--rounds', '1'],
  },
  {
    name: 'recording',
    script: 'test/bench/recording-bench.ts',
    what: 'session recording: recorder CPU and kbit/s (typing, scrolling, video) vs CDP screencast→VP9',
    quickArgs: ['--seconds', '6'],
  },
  {
    name: 'automation',
    script: 'workers/wb-browser-runtime/bench/verb-overhead.ts',
    what: 'workbook verb overhead through the governed session vs direct CDP',
  },
  {
    name: 'workflows',
    script: 'test/bench/workflows-bench.ts',
    what: 'workflow run admission and overhead, runs per minute at 4 at once, vs direct CDP',
    quickArgs: ['--runs', '8', '--seconds', '20'],
  },
];

const USAGE = `usage: npm run bench [-- --only name,name] [-- --quick]
benchmarks: ${BENCHES.map((b) => b.name).join(', ')}
Each writes test/bench/results/<name>.json; a summary is printed at the end.`;

function main(): number {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const quick = args.includes('--quick');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : [];
  const unknown = only.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}\n${USAGE}`);
    return 1;
  }
  const selected = BENCHES.filter((b) => only.length === 0 || only.includes(b.name));
  const failed: string[] = [];
  selected.forEach((bench, i) => {
    const started = Date.now();
    console.log(`\n[bench ${i + 1}/${selected.length}] ${bench.name}: ${bench.what}`);
    const res = spawnSync(
      process.execPath,
      ['--import', 'tsx', bench.script, ...(quick ? (bench.quickArgs ?? []) : [])],
      { cwd: root, stdio: 'inherit' },
    );
    const seconds = Math.round((Date.now() - started) / 1000);
    if (res.status === 0)
      console.log(`[bench ${i + 1}/${selected.length}] ${bench.name} done in ${seconds} s`);
    else {
      failed.push(bench.name);
      console.error(
        `[bench ${i + 1}/${selected.length}] ${bench.name} FAILED (exit ${res.status})`,
      );
    }
  });
  printSummary(selected.map((b) => b.name));
  if (failed.length > 0) console.error(`\nfailed: ${failed.join(', ')}`);
  return failed.length > 0 ? 1 : 0;
}

function printSummary(names: string[]): void {
  console.log('\nresults (test/bench/results/):');
  for (const name of names) {
    const path = join(RESULTS_DIR, `${name}.json`);
    if (!existsSync(path)) {
      console.log(`  ${name}: no result`);
      continue;
    }
    const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const ratios = Object.entries(doc).filter(
      ([k, v]) => typeof v === 'number' && /ratio|_x$|speedup|_vs_/.test(k),
    );
    const shown = ratios.length > 0 ? ratios : Object.entries(doc).slice(0, 4);
    console.log(`  ${name}: ${shown.map(([k, v]) => `${k}=${v}`).join('  ')}`);
  }
}

process.exit(main());
