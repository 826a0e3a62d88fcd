/**
 * Portable profiles: how many bytes a typical signed-in profile costs to save (the encrypted,
 * compressed archive), against the same profile as a plain tar and against the profile directory
 * with its caches, all measured in the same run; how long restoring it on a host that does not
 * have it takes, from the profile request to the unpacked tree; and the memory one idle session
 * costs (PSS of its Xvfb and Chromium processes plus the agent's growth), against the agent alone.
 *
 *   node --import tsx test/bench/profile-bench.ts [--rounds 3] [--no-write]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startLocalStack } from '../../deploy/local/stack.ts';
import { freePort } from '../../edge/local/index.ts';
import { launchClientBrowser } from '../e2e/support/browser.ts';
import { CONSOLE_VIEWPORT, signIn, startSession } from '../e2e/support/console-driver.ts';
import { PAGES, startTestSite } from '../e2e/support/test-site.ts';
import { openRemote } from '../e2e/support/workspace.ts';
import { percentile, writeBenchResult } from './results.ts';
import { apiAs, automationTicket } from './support/api.ts';

const args = process.argv.slice(2);
const ROUNDS = Number(args[args.indexOf('--rounds') + 1] ?? 0) || 3;
const log = (line: string) => console.log(`[profiles] ${line}`);

/** A signed-in web app as far as the profile sees it: cookies, local storage, IndexedDB, history. */
PAGES['/app'] =
  `<!doctype html><html><head><title>Signed in</title></head><body><h1>Inbox</h1><script>
  for (let i = 0; i < 25; i++) document.cookie = 'pref' + i + '=' + 'v'.repeat(40) + '; max-age=2592000; path=/';
  document.cookie = 'session=' + crypto.randomUUID() + '; max-age=2592000; path=/';
  for (let i = 0; i < 100; i++) localStorage.setItem('cache' + i, JSON.stringify({ id: i, subject: 'Message ' + i, body: 'x'.repeat(400) }));
  const open = indexedDB.open('mail', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('messages', { keyPath: 'id' });
  open.onsuccess = () => {
    const tx = open.result.transaction('messages', 'readwrite');
    for (let i = 0; i < 300; i++) tx.objectStore('messages').put({ id: i, from: 'a@example.com', text: 'y'.repeat(800) });
    tx.oncomplete = () => { document.title = 'Ready'; };
  };
</script></body></html>`;

function pss(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Pids whose command line mentions `path`. */
function pidsMentioning(path: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(path)) out.push(Number(e));
    } catch {
      // gone
    }
  }
  return out;
}

function duBytes(path: string): number {
  const res = spawnSync('du', ['-sb', path], { encoding: 'utf8' });
  return Number(res.stdout.split('\t')[0]) || 0;
}

async function main(): Promise<void> {
  const site = await startTestSite();
  const dataDir = mkdtempSync(join(tmpdir(), 'bp-profile-bench-'));
  const lines: Record<string, unknown>[] = [];
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    relayPort: await freePort(),
    plainPort: await freePort(),
    host: 'child',
    hostMaxSessions: 2,
    // cold starts only: the session's processes are found by its own directory's path
    hostWarmRuntimes: 0,
    sandboxAllowPorts: [Number(new URL(site.url).port)],
    hostLog: (line) => {
      if (line.startsWith('{')) lines.push(JSON.parse(line));
    },
  });
  const agentPid = stack.hostProcess?.pid() as number;
  const browser = await launchClientBrowser();
  const saves: number[] = [];
  const saveMs: number[] = [];
  const tars: number[] = [];
  const dirs: number[] = [];
  const restores: number[] = [];
  const memory: number[] = [];
  const agentAlone = pss(agentPid);
  try {
    const context = await browser.newContext({ viewport: CONSOLE_VIEWPORT });
    const page = await context.newPage();
    await signIn(page, stack.url);
    for (let round = 0; round < ROUNDS; round++) {
      const id = await startSession(page);
      const sessionDir = join(dataDir, 'host', 'sessions', id);
      const ticket = await automationTicket(page, stack.url, id);
      const remote = await chromium.connectOverCDP(
        `http://127.0.0.1:${stack.plainPort}/sessions/${id}/cdp?ticket=${encodeURIComponent(ticket)}`,
      );
      const app = await openRemote(remote, `${site.url}/app`);
      await app.waitForFunction(() => document.title === 'Ready');
      await new Promise((r) => setTimeout(r, 3000));
      const sessionPss = pidsMentioning(sessionDir).reduce((sum, p) => sum + pss(p), 0);
      memory.push((sessionPss + Math.max(0, pss(agentPid) - agentAlone)) / 1048576);
      await remote.close();
      await apiAs(page, stack.url, 'DELETE', `/api/v1/sessions/${id}/automation-owner`);
      // a stop saves the profile: measure what went out
      await page.goto(stack.url);
      // a safe stop waits until the edge saw the live view go
      for (let tries = 0; ; tries++) {
        const stopped = await apiAs(page, stack.url, 'POST', `/api/v1/sessions/${id}/stop`).then(
          () => true,
          (err: Error) => {
            if (tries > 30 || !err.message.includes('409')) throw err;
            return false;
          },
        );
        if (stopped) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const saved = await waitForLine((l) => l.msg === 'profile saved' && l.sessionId === id);
      saves.push(Number(saved.bytes) / 1024);
      saveMs.push(Number(saved.ms));
      tars.push(Number(saved.tarBytes) / 1024);
      dirs.push(
        duBytes(join(sessionDir, 'profile')) / 1024 + duBytes(join(sessionDir, 'downloads')) / 1024,
      );
      // as on a host that never ran it: forget which revision this disk holds, then restart it
      rmSync(join(sessionDir, 'profile-revision'), { force: true });
      await apiAs(page, stack.url, 'POST', `/api/v1/sessions/${id}/access-tokens`, {
        role: 'owner',
      });
      const restored = await waitForLine((l) => l.msg === 'profile restored' && l.sessionId === id);
      restores.push(Number(restored.ms));
      await apiAs(page, stack.url, 'POST', `/api/v1/sessions/${id}/kill`);
      log(
        `round ${round + 1}: archive ${saves.at(-1)?.toFixed(0)} KiB (tar ${tars.at(-1)?.toFixed(0)} KiB, directory ${dirs.at(-1)?.toFixed(0)} KiB), save ${saveMs.at(-1)} ms, restore ${restores.at(-1)} ms, session ${memory.at(-1)?.toFixed(0)} MiB`,
      );
    }
  } finally {
    await browser.close();
    await stack.stop();
    await site.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const values = {
    profile_save_kb: Math.round(percentile(saves, 50)),
    profile_save_tar_kb_baseline: Math.round(percentile(tars, 50)),
    profile_dir_kb_baseline: Math.round(percentile(dirs, 50)),
    profile_save_ms: Math.round(percentile(saveMs, 50)),
    profile_restore_ms: Math.round(percentile(restores, 50)),
    memory_per_session_mib: Math.round(percentile(memory, 50)),
    agent_alone_mib_baseline: Math.round(agentAlone / 1048576),
    rounds: ROUNDS,
  };
  console.log(JSON.stringify(values, null, 2));
  if (!args.includes('--no-write')) log(`wrote ${writeBenchResult('profiles', values)}`);

  async function waitForLine(
    match: (l: Record<string, unknown>) => boolean,
    timeoutMs = 60_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = lines.find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('the host agent did not log the expected profile line');
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
