import type { CdpClient } from './cdp-client.ts';
import { listPages } from './page-targets.ts';

/**
 * Chromium on X11 shrinks a normal window whose bounds equal the screen's by one pixel each way
 * (it would otherwise look fullscreen to a window manager), leaving a 1 px line of bare root
 * window at the right and bottom. Asking for one pixel more than the display makes the visible
 * part fill the screen exactly; the overhanging pixel column and row are off-screen.
 */
export const WINDOW_OVERHANG = 1;

/**
 * Makes every browser window fill a `width × height` display at (0, 0). There is no window
 * manager, so CDP window bounds are the only thing that sizes Chromium's windows. Returns the
 * number of windows sized.
 */
export async function fitWindowsToDisplay(
  browser: CdpClient,
  width: number,
  height: number,
): Promise<number> {
  const windows = new Set<number>();
  for (const page of await listPages(browser)) {
    const res = await browser
      .send<{ windowId: number }>('Browser.getWindowForTarget', { targetId: page.targetId })
      .catch(() => undefined);
    if (res) windows.add(res.windowId);
  }
  for (const windowId of windows) {
    // A maximized or fullscreen window ignores explicit bounds.
    await browser
      .send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'normal' } })
      .catch(() => undefined);
    await browser.send('Browser.setWindowBounds', {
      windowId,
      bounds: { left: 0, top: 0, width: width + WINDOW_OVERHANG, height: height + WINDOW_OVERHANG },
    });
  }
  return windows.size;
}

/**
 * Activates the window of the visible tab. Without a window manager Chromium's window has the X
 * input focus but never becomes "active", so pages report `document.hasFocus() === false` and
 * ignore keys until something activates it. Bringing the already-selected tab to front does that
 * without switching tabs.
 */
export async function activateVisiblePage(browser: CdpClient): Promise<boolean> {
  for (const page of await listPages(browser)) {
    if (page.url.startsWith('devtools://')) continue;
    const session = await browser.attach(page.targetId).catch(() => undefined);
    if (!session) continue;
    try {
      const res = await session.send<{ result: { value?: string } }>(
        'Runtime.evaluate',
        { expression: 'document.visibilityState', returnByValue: true },
        3000,
      );
      if (res.result.value !== 'visible') continue;
      await session.send('Page.bringToFront');
      return true;
    } catch {
      // a page that is navigating or crashed: try the next
    } finally {
      await session.detach();
    }
  }
  return false;
}
