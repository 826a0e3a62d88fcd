import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CdpClient, type CdpSession } from '../../src/cdp/index.ts';
import { SessionRuntime, type SessionStartOptions } from '../../src/runtime/index.ts';

/** A started runtime in a temporary directory; `dispose` stops it and removes the directory. */
export interface TestRuntime {
  readonly runtime: SessionRuntime;
  readonly dir: string;
  dispose(): Promise<void>;
}

export async function startTestRuntime(
  options: Partial<SessionStartOptions> = {},
): Promise<TestRuntime> {
  const dir = mkdtempSync(join(tmpdir(), 'bp-host-test-'));
  const runtime = new SessionRuntime();
  await runtime.start({
    sessionId: 'test',
    sessionDir: join(dir, 'session'),
    width: 1280,
    height: 720,
    startUrl: 'about:blank',
    ...options,
  });
  // The window's fit and activation finish after start (the agent holds input until then, see
  // DisplaySession); tests look at the window and type into it, so they wait for it too.
  await runtime.windowsSettled;
  return {
    runtime,
    dir,
    dispose: async () => {
      await runtime.stop().catch(() => runtime.kill());
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The first tab of a runtime's browser, driven through CDP. */
export interface PageHandle {
  readonly client: CdpClient;
  readonly session: CdpSession;
  navigate(url: string): Promise<void>;
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

export async function openPage(wsUrl: string): Promise<PageHandle> {
  const client = await CdpClient.connect(wsUrl);
  const { targetInfos } = await client.send<{
    targetInfos: Array<{ targetId: string; type: string }>;
  }>('Target.getTargets');
  const page = targetInfos.find((t) => t.type === 'page');
  if (!page) throw new Error('no page target');
  const session = await client.attach(page.targetId);
  await session.send('Page.enable');
  await session.send('Runtime.enable');
  const evaluate = async <T>(expression: string): Promise<T> => {
    const res = await session.send<{ result: { value?: T }; exceptionDetails?: unknown }>(
      'Runtime.evaluate',
      { expression, returnByValue: true, awaitPromise: true },
    );
    if (res.exceptionDetails) throw new Error(`evaluate failed: ${expression}`);
    return res.result.value as T;
  };
  return {
    client,
    session,
    evaluate,
    navigate: async (url) => {
      const loaded = client.waitFor('Page.loadEventFired', 15_000, session.id);
      await session.send('Page.navigate', { url });
      await loaded;
      // let fonts and the first paint settle
      await evaluate(
        'document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))',
      );
    },
    close: () => client.close(),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls `check` until it returns a truthy value or `timeoutMs` passes; a timeout says what the
 * check last returned and `describe()` (what the condition is about, e.g. the values compared).
 */
export async function waitUntil<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5000,
  stepMs = 50,
  describe?: () => unknown,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) {
      const seen = describe ? `; ${JSON.stringify(describe())?.slice(0, 500)}` : '';
      throw new Error(
        `condition ${String(check).slice(0, 160)} not met in ${timeoutMs} ms: last returned ${JSON.stringify(v)}${seen}`,
      );
    }
    await sleep(stepMs);
  }
}
