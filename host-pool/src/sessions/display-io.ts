import { CursorTracker, DisplayFrameSource, type XConnection } from '../capture/index.ts';
import { CdpTextInserter, InputInjector } from '../input/index.ts';
import type { SessionRuntime } from '../runtime/index.ts';

/** A runtime's display as a session uses it: capture, cursor and input, connected. */
export interface DisplayIo {
  readonly source: DisplayFrameSource;
  readonly cursor: CursorTracker;
  readonly input: InputInjector;
  /** Each connection's closer, in the order they were opened (close in reverse). */
  readonly closers: Array<() => Promise<unknown>>;
}

/**
 * Connects to a running runtime's display: DAMAGE/SHM capture (its first full picture grabbed),
 * the cursor, XTEST input and CDP text insertion. A warm runtime does this ahead, so a session that
 * takes it only attaches its features.
 */
export async function openDisplayIo(runtime: SessionRuntime, tileSize: number): Promise<DisplayIo> {
  const closers: Array<() => Promise<unknown>> = [];
  try {
    const auth = runtime.xAuthCookie;
    const source = await DisplayFrameSource.open({ display: runtime.display, auth, tileSize });
    closers.push(() => source.close());
    const cursorConn: XConnection = await runtime.connectX();
    closers.push(() => cursorConn.close());
    const cursor = await CursorTracker.start(cursorConn);
    const inserter = new CdpTextInserter(() => runtime.cdpWebSocketUrl());
    closers.push(() => inserter.close());
    const input = await InputInjector.open({
      display: runtime.display,
      auth,
      insertText: (text) => inserter.insertText(text),
    });
    closers.push(() => input.close());
    return { source, cursor, input, closers };
  } catch (err) {
    await closeDisplayIo(closers);
    throw err;
  }
}

export async function closeDisplayIo(closers: Array<() => Promise<unknown>>): Promise<void> {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
}
