/**
 * What the session sandbox costs: start-up time (sandbox set-up, Xvfb, Chromium until DevTools
 * answers and its window fits) and memory (every process of the session, pasta and the namespace
 * holder included, with the test article open) of one session in its sandbox — user id,
 * bubblewrap views, namespaces, pasta, Chromium's own sandbox — against the same session
 * unsandboxed, measured in the same run, rounds alternating so drift hits both.
 *
 *   node --import tsx test/bench/sandbox-bench.ts [--rounds 5] [--no-write]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CdpClient } from '../../host-pool/src/cdp/index.ts';
import { silentLogger } from '../../host-pool/src/log.ts';
import { SessionRuntime } from '../../host-pool/src/runtime/index.ts';
import { sessionPaths } from '../../host-pool/src/runtime/profile.ts';
import {
  DEFAULT_SANDBOX_SETTINGS,
  HostSandbox,
  type SessionSandbox,
} from '../../host-pool/src/sandbox/index.ts';
import { startPageServer } from '../../host-pool/test/helpers/page-server.ts';
import { percentile, writeBenchResult } from './results.ts';

const args = process.argv.slice(2);
const ROUNDS = Number(args[args.indexOf('--rounds') + 1] ?? 0) || 5;
const SETTLE_MS = 3000;
const log = (line: string) => console.log(`[sandbox] ${line}`);

/** Every descendant of `roots` (the roots included), from /proc. */
function tree(roots: readonly number[]): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirProc()) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(entry, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent)
      if (out.has(ppid) && !out.has(pid)) {
        out.add(pid);
        grew = true;
      }
  }
  return [...out];
}

function readdirProc(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

/**
 * Memory the session alone has written (private dirty pages: heaps, stacks, caches), in MiB. Not
 * PSS or USS: Chromium's binary and libraries are read-only pages every browser on the machine
 * shares, and how they are split or counted shifts with how many other browsers run right now,
 * which has nothing to do with the sandbox.
 */
function dirtyMib(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      kib += Number(/^Private_Dirty:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return kib / 1024;
}

interface Round {
  readonly startMs: number;
  readonly setupMs: number;
  readonly memoryMib: number;
}

async function oneSession(host: HostSandbox | undefined, pageUrl: string): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), 'bp-sandbox-bench-'));
  const sessionDir = join(dir, 'session');
  const runtime = new SessionRuntime();
  let sandbox: SessionSandbox | undefined;
  const t0 = performance.now();
  try {
    sandbox = host ? await host.create(sessionDir, sessionPaths(sessionDir)) : undefined;
    const setupMs = performance.now() - t0;
    await runtime.start({
      sessionId: 'bench',
      sessionDir,
      width: 1280,
      height: 720,
      startUrl: 'about:blank',
      ...(sandbox ? { sandbox } : {}),
    });
    const startMs = performance.now() - t0;
    const client = await CdpClient.connect(runtime.cdpWebSocketUrl());
    try {
      const { targetInfos } = await client.send<{
        targetInfos: Array<{ targetId: string; type: string }>;
      }>('Target.getTargets');
      const target = targetInfos.find((t) => t.type === 'page') as { targetId: string };
      const page = await client.attach(target.targetId);
      await page.send('Page.enable');
      const loaded = client.waitFor('Page.loadEventFired', 20_000, page.id);
      await page.send('Page.navigate', { url: pageUrl });
      await loaded;
    } finally {
      await client.close();
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const roots = [runtime.chromiumPid, runtime.xvfbPid].filter((p): p is number => !!p);
    if (sandbox?.network.pid) roots.push(sandbox.network.pid);
    if (sandbox) roots.push(sandbox.namespaces.holderPid);
    return { startMs, setupMs, memoryMib: dirtyMib(tree(roots)) };
  } finally {
    await runtime.stop().catch(() => runtime.kill());
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const pages = await startPageServer();
  const pageUrl = pages.url('article.html');
  const host = new HostSandbox(
    { ...DEFAULT_SANDBOX_SETTINGS, allowHostPorts: [Number(new URL(pageUrl).port)] },
    silentLogger,
  );
  const problem = await host.prepare();
  if (problem) throw problem;
  const sandboxed: Round[] = [];
  const plain: Round[] = [];
  try {
    await oneSession(undefined, pageUrl); // warm the page cache for both kinds alike
    for (let i = 0; i < ROUNDS; i++) {
      const first = i % 2 === 0;
      for (const kind of first ? ['sandboxed', 'plain'] : ['plain', 'sandboxed']) {
        const r = await oneSession(kind === 'sandboxed' ? host : undefined, pageUrl);
        (kind === 'sandboxed' ? sandboxed : plain).push(r);
        log(
          `round ${i + 1}/${ROUNDS} ${kind}: start ${Math.round(r.startMs)} ms, memory ${r.memoryMib.toFixed(1)} MiB`,
        );
      }
    }
  } finally {
    await pages.close();
  }
  const median = (rs: Round[], key: keyof Round) =>
    Math.round(
      percentile(
        rs.map((r) => r[key]),
        50,
      ) * 10,
    ) / 10;
  const result = {
    sandbox_start_ms: median(sandboxed, 'startMs'),
    unsandboxed_start_ms: median(plain, 'startMs'),
    sandbox_setup_ms: median(sandboxed, 'setupMs'),
    sandbox_memory_mib: median(sandboxed, 'memoryMib'),
    unsandboxed_memory_mib: median(plain, 'memoryMib'),
    sandbox_start_ratio:
      Math.round((median(sandboxed, 'startMs') / median(plain, 'startMs')) * 100) / 100,
    sandbox_memory_ratio:
      Math.round((median(sandboxed, 'memoryMib') / median(plain, 'memoryMib')) * 100) / 100,
    sandbox_own_user: host.root ? 1 : 0,
    rounds: ROUNDS,
  };
  console.table(result);
  if (!args.includes('--no-write')) log(`wrote ${writeBenchResult('sandbox', result)}`);
}

main().catch((err: Error) => {
  console.error(`[sandbox] failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
