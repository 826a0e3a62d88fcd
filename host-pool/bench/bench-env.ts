import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CdpClient, type CdpSession } from '../src/cdp/index.ts';
import { SessionRuntime } from '../src/runtime/index.ts';
import { type PageServer, startPageServer } from '../test/helpers/page-server.ts';

/** A 1280×720 session showing the test article, for benchmarks. */
export interface BenchEnv {
  readonly runtime: SessionRuntime;
  readonly page: CdpSession;
  readonly pages: PageServer;
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

export async function startBenchEnv(width = 1280, height = 720): Promise<BenchEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'bp-bench-'));
  const pages = await startPageServer();
  const runtime = new SessionRuntime();
  await runtime.start({ sessionId: 'bench', sessionDir: join(dir, 's'), width, height });
  const client = await CdpClient.connect(runtime.cdpWebSocketUrl());
  const { targetInfos } = await client.send<{
    targetInfos: Array<{ targetId: string; type: string }>;
  }>('Target.getTargets');
  const page = await client.attach(
    (targetInfos.find((t) => t.type === 'page') as { targetId: string }).targetId,
  );
  await page.send('Page.enable');
  const loaded = client.waitFor('Page.loadEventFired', 15_000, page.id);
  await page.send('Page.navigate', { url: pages.url('article.html') });
  await loaded;
  const evaluate = async <T>(expression: string): Promise<T> =>
    (
      await page.send<{ result: { value: T } }>('Runtime.evaluate', {
        expression,
        returnByValue: true,
        awaitPromise: true,
      })
    ).result.value;
  await evaluate('document.fonts.ready.then(() => new Promise(r => setTimeout(r, 300)))');
  return {
    runtime,
    page,
    pages,
    evaluate,
    close: async () => {
      await client.close();
      await runtime.stop();
      await pages.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] as number) : 0;
}

export function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] as number) : 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
