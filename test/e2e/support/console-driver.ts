import type { Page } from 'playwright-core';

/** Console page size that gives the live view exactly 1280 × 720 at 1:1 (sidebar 260, bars 2 × 48). */
export const CONSOLE_VIEWPORT = { width: 1540, height: 816 } as const;

/** What the console page exposes for tests: the SDK client of the live view. */
export interface ConsoleWindow {
  bpClient?: {
    stats(): { framesPresented: number; tilesDecoded: number; bytesIn: number; fps: number };
    controls: boolean;
    connectionId: string;
    sessionId: string;
    settled(): Promise<void>;
    canvas: HTMLCanvasElement;
  };
}

/** Signs in through the console's login button and the dev issuer's form, as a person would. */
export async function signIn(
  page: Page,
  edgeUrl: string,
  user = 'demo',
  password = 'demo-demo',
): Promise<void> {
  await page.goto(edgeUrl);
  await page.click('[data-testid=sign-in]');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${edgeUrl}/**`), page.click('button[type=submit]')]);
  await page.waitForSelector('[data-testid=new-session]');
}

/** Clicks "Start new session" and waits for the first frame; returns the session id. */
export async function startSession(page: Page): Promise<string> {
  await page.click('[data-testid=new-session]');
  await waitForFrames(page);
  return page.evaluate(() => (window as unknown as ConsoleWindow).bpClient?.sessionId ?? '');
}

export async function waitForFrames(page: Page, atLeast = 1, timeout = 90_000): Promise<void> {
  await page.waitForFunction(
    (n) => ((window as unknown as ConsoleWindow).bpClient?.stats().framesPresented ?? 0) >= n,
    atLeast,
    { timeout },
  );
}

/** Waits until no new frame has been presented for `quietMs`. */
export async function waitForQuiet(page: Page, quietMs = 1200, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let last = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    const n = await page.evaluate(
      () => (window as unknown as ConsoleWindow).bpClient?.stats().framesPresented ?? 0,
    );
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await page.waitForTimeout(100);
  }
}

/** The live view canvas as RGBA bytes (after everything received is drawn). */
export async function canvasPixels(
  page: Page,
): Promise<{ width: number; height: number; rgba: Buffer }> {
  const out = await page.evaluate(async () => {
    const client = (window as unknown as ConsoleWindow).bpClient;
    if (!client) throw new Error('no live view');
    await client.settled();
    const c = client.canvas;
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    if (!data) throw new Error('no 2d context');
    let s = '';
    for (let i = 0; i < data.length; i += 0x8000)
      s += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return { width: c.width, height: c.height, b64: btoa(s) };
  });
  return { width: out.width, height: out.height, rgba: Buffer.from(out.b64, 'base64') };
}

/** Where a display pixel appears on the console page (the canvas is shown at 1:1 in tests). */
export async function displayToPage(
  page: Page,
  x: number,
  y: number,
): Promise<{ x: number; y: number }> {
  const box = await page.locator('.bp-screen').boundingBox();
  if (!box) throw new Error('live view not laid out');
  const scale = await page.evaluate(() => {
    const c = (window as unknown as ConsoleWindow).bpClient?.canvas;
    return c ? c.getBoundingClientRect().width / c.width : 1;
  });
  return { x: box.x + x * scale, y: box.y + y * scale };
}

/** Clicks an item of the live view's Share menu (it opens the menu first). */
export async function share(
  page: Page,
  item: 'Open as viewer' | 'New window' | 'Copy viewer link',
): Promise<void> {
  await page.click('[data-testid=share]');
  await page.click(`.menu >> text=${item}`);
}

/**
 * The colour (RGB) the person's live view shows at CSS pixel (x, y) of the remote page's
 * viewport, once the picture is quiet.
 */
export async function liveViewPixel(
  person: Page,
  remote: Page,
  x: number,
  y: number,
): Promise<number[]> {
  const origin = await remote.evaluate(() => ({
    left: window.screenX,
    top: window.outerHeight - window.innerHeight,
  }));
  await waitForQuiet(person);
  const canvas = await canvasPixels(person);
  const at = ((origin.top + y) * canvas.width + origin.left + x) * 4;
  return [...canvas.rgba.subarray(at, at + 3)];
}
