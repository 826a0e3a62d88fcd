// A headless Chromium with a raw DevTools endpoint on loopback, standing in for a session's or a
// vendor's remote browser in the workers' tests.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CdpChromium {
  /** The browser's DevTools WebSocket URL. */
  wsUrl: string;
  /** `http://127.0.0.1:<port>` (`/json/version` and friends). */
  httpUrl: string;
  process: ChildProcess;
  close(): Promise<void>;
}

export async function startCdpChromium(): Promise<CdpChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'bp-cdp-chromium-'));
  const child = spawn(
    process.env.BROWSERPANE_CHROMIUM ?? '/usr/bin/chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    // its own process group, so closing it takes its helper processes too
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const wsUrl = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`no DevTools endpoint: ${stderr}`)), 20_000);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.on('exit', () => reject(new Error(`chromium exited: ${stderr}`)));
  });
  return {
    wsUrl,
    httpUrl: `http://127.0.0.1:${new URL(wsUrl).port}`,
    process: child,
    close: async () => {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid, 'SIGTERM');
        await exited;
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
