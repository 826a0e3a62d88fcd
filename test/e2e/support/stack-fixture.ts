import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import {
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../../deploy/local/stack.ts';
import { freePort } from '../../../edge/local/index.ts';
import { seedMigratedPglite } from '../../../edge/test/support/pglite-template.ts';
import type { LiveSession } from '../../../host-pool/src/sessions/live-session.ts';
import { stackLogs } from './stack-logs.ts';

export interface StackFixtureOptions {
  readonly database?: 'pglite' | 'postgres';
  /** Also run the MCP bridge in this process. */
  readonly mcpBridge?: LocalStackOptions['mcpBridge'];
  /** Also run the workflow worker (a child process). */
  readonly workflowWorker?: LocalStackOptions['workflowWorker'];
  /**
   * Page servers on this machine's loopback (their base URLs) the sessions' browsers open: their
   * ports, and only theirs, are let through the session sandbox. Start them before the stack.
   */
  readonly sites?: readonly string[];
  /**
   * Runtimes the host keeps started ahead (HOST_WARM_RUNTIMES). Default 0 here: each warm runtime
   * is one more Chromium on a machine the tests share, and most tests look at cold sessions.
   */
  readonly warmRuntimes?: number;
  /** HOST_METRICS_TOKEN of the host (default: none). */
  readonly metricsToken?: string;
  /** Extra edge vars. */
  readonly edgeVars?: Record<string, string>;
}

/** The whole local stack (host agent in this process, so tests can look inside it). */
export async function startStackFixture(options: StackFixtureOptions = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bp-e2e-'));
  const lines: string[] = [];
  // printed after a failed test (print-stack-logs.ts)
  stackLogs.current = lines;
  const database = options.database ?? 'pglite';
  // the stack opens <dataDir>/pglite: a copy of a migrated one saves PGlite's initdb (≈10 s)
  if (database === 'pglite') await seedMigratedPglite(join(dataDir, 'pglite'));
  const stack: LocalStack = await startLocalStack({
    dataDir,
    port: 0,
    relayPort: await freePort(),
    plainPort: await freePort(),
    database,
    host: 'in-process',
    hostMaxSessions: 2,
    hostWarmRuntimes: options.warmRuntimes ?? 0,
    ...(options.metricsToken ? { hostMetricsToken: options.metricsToken } : {}),
    sandboxAllowPorts: (options.sites ?? []).map((url) => Number(new URL(url).port)),
    edgeVars: { HOST_LOST_AFTER_MS: '15000', ...options.edgeVars },
    hostLog: (line) => lines.push(line),
    edgeLog: (line) => lines.push(line),
    ...(options.mcpBridge ? { mcpBridge: options.mcpBridge } : {}),
    ...(options.workflowWorker
      ? { workflowWorker: { ...options.workflowWorker, log: (line: string) => lines.push(line) } }
      : {}),
  });
  const live = (sessionId: string): LiveSession => {
    const found = stack.host?.sessions.live(sessionId);
    if (!found) throw new Error(`session ${sessionId} is not running on the host`);
    return found;
  };
  /**
   * Playwright attached to the session's Chromium over its DevTools port (the host side of the
   * sandbox's forward into the session's network namespace).
   */
  const cdp = async (sessionId: string): Promise<Browser> => {
    const port = live(sessionId).cdpPort();
    if (!port) throw new Error('no DevTools port');
    return chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  };
  return {
    stack,
    /** The stack's data directory (dev secrets, profiles, logs). */
    dataDir,
    live,
    cdp,
    logs: lines,
    async stop() {
      await stack.stop();
      // a browser's last writes into its profile may still land while the folder goes
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}
