import type { ChildProcess } from 'node:child_process';
import { CdpClient } from '../cdp/cdp-client.ts';
import { waitForExit } from './process-tools.ts';

/**
 * Asks the browser to quit over DevTools and waits for it to exit. Chromium then runs its normal
 * shutdown: the cookie store and localStorage are written (it writes cookies only every 30 s
 * otherwise) and the open tabs are saved as the last session. False when the browser did not
 * answer or did not exit within `timeoutMs` (the caller falls back to signals).
 */
export async function closeOverCdp(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<boolean> {
  const started = Date.now();
  let client: CdpClient | undefined;
  try {
    client = await CdpClient.connect(url, { timeoutMs: Math.min(2000, timeoutMs) });
    // best effort: a browser that cannot take the cookies still gets asked to close
    await flushCookies(client).catch(() => undefined);
    // the answer may never come: the browser closes the connection while it shuts down
    void client
      .send('Browser.close', {}, undefined, Math.min(2000, timeoutMs))
      .catch(() => undefined);
    return await waitForExit(child, Math.max(0, timeoutMs - (Date.now() - started)));
  } catch {
    return false;
  } finally {
    await client?.close().catch(() => undefined);
  }
}

/** Cookie-store changes after which Chromium writes the batch out (its timer is 30 s). */
const COOKIE_COMMIT_BATCH = 512;

/**
 * Makes the cookie store write what it holds. Chromium's network service keeps cookie changes in
 * memory and writes them every 30 s or after 512 changes, and on exit it is ended before that batch
 * is written, so the last seconds' cookies would be lost. Setting a batch of placeholder cookies on
 * a reserved domain (RFC 2606) and expiring them again fills the batch twice: the pending changes
 * are written with the first, the placeholders leave with the second.
 */
async function flushCookies(client: CdpClient): Promise<void> {
  const domain = 'flush.browserpane.example';
  const batch = (expires: number) => ({
    cookies: Array.from({ length: COOKIE_COMMIT_BATCH }, (_, i) => ({
      name: `bp-flush-${i}`,
      value: '1',
      domain,
      path: '/',
      expires,
    })),
  });
  await client.send(
    'Storage.setCookies',
    batch(Math.floor(Date.now() / 1000) + 60),
    undefined,
    2000,
  );
  await client.send('Storage.setCookies', batch(1), undefined, 2000);
}
