import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs } from '../bench/support/api.ts';
import { launchClientBrowser } from './support/browser.ts';
import { CONSOLE_VIEWPORT, signIn } from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';

/** A port that accepts connections and closes them at once: a store that is down. */
async function deadStore(): Promise<{ url: string; close(): void }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}/recordings-bucket`, close: () => server.close() };
}

describe('recordings when the artifact store is unavailable', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let store: Awaited<ReturnType<typeof deadStore>>;
  let browser: Browser & { cleanup(): void };
  let page: Page;

  beforeAll(async () => {
    store = await deadStore();
    fx = await startStackFixture({
      edgeVars: {
        ARTIFACTS_S3_URL: store.url,
        ARTIFACTS_S3_ACCESS_KEY_ID: 'test-key-id',
        ARTIFACTS_S3_SECRET_ACCESS_KEY: 'test-secret-key',
      },
    });
    browser = await launchClientBrowser();
    page = await (await browser.newContext({ viewport: CONSOLE_VIEWPORT })).newPage();
    await signIn(page, fx.stack.url);
  });

  afterAll(async () => {
    await browser?.close();
    await fx?.stop();
    store?.close();
  });

  it('fails the recording with the store’s reason; the session keeps running', async () => {
    const api = (method: string, path: string, body?: unknown) =>
      apiAs(page, fx.stack.url, method, path, body);
    const session = (await api('POST', '/api/v1/sessions', {
      recording: { mode: 'always' },
    })) as { id: string };
    const list = async () =>
      (
        (await api('GET', `/api/v1/sessions/${session.id}/recordings`)) as {
          recordings: Array<{ state: string; error: string | null }>;
        }
      ).recordings;
    await expect
      .poll(async () => (await list())[0]?.state, { timeout: 120_000, interval: 1000 })
      .toBe('failed');
    const [failed] = await list();
    expect(failed?.error).toMatch(/artifact store is unavailable|upload/i);
    const status = (await api('GET', `/api/v1/sessions/${session.id}`)) as { state: string };
    expect(status.state).toMatch(/ready|active|idle/);
    // The live view still works: a ticket is minted and the relay admits it.
    const ticket = (await api('POST', `/api/v1/sessions/${session.id}/access-tokens`, {
      role: 'owner',
    })) as { token: string };
    expect(ticket.token).toBeTruthy();
  });
});
