import type { Page } from 'playwright-core';

export const TYPED_TEXT =
  'The quick brown fox jumps over the lazy dog while the remote browser keeps every glyph sharp. ';

/** Client-side probes: bytes received, and keydown → next presented frame latency. */
export async function instrumentKeyLatency(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as {
      bpClient: { on(l: (e: { type: string }) => void): void };
      __lat: number[];
      __key: number | null;
    };
    w.__lat = [];
    w.__key = null;
    document.querySelector('.bp-input')?.addEventListener(
      'keydown',
      () => {
        w.__key = performance.now();
      },
      true,
    );
    w.bpClient.on((e) => {
      if (e.type === 'frame' && w.__key !== null) {
        w.__lat.push(performance.now() - w.__key);
        w.__key = null;
      }
    });
  });
  return {
    bytesIn: () =>
      page.evaluate(
        () =>
          (window as unknown as { bpClient: { stats(): { bytesIn: number } } }).bpClient.stats()
            .bytesIn,
      ),
    latencies: () =>
      page.evaluate(() => (window as unknown as { __lat: number[] }).__lat.splice(0)),
  };
}

/** Types {@link TYPED_TEXT} into the live view at about 12 characters a second. */
export async function typeFor(page: Page, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < until; i++)
    await page.keyboard.type(TYPED_TEXT[i % TYPED_TEXT.length] as string, { delay: 80 });
}
