import { CursorTracker } from '../capture/cursor-tracker.ts';
import { DisplayFrameSource } from '../capture/display-frame-source.ts';
import { CdpTextInserter } from '../input/cdp-text-inserter.ts';
import { InputInjector } from '../input/input-injector.ts';
import type { SessionRuntime } from './session-runtime.ts';

/** Everything a session hub needs from one runtime's display. */
export interface SessionDisplay {
  /** Frame updates of the display (`FrameSource`). */
  readonly source: DisplayFrameSource;
  /** Cursor shapes and positions (`CursorSource`). */
  readonly cursor: CursorTracker;
  /** Keyboard, pointer and text input (`InputSink`). */
  readonly input: InputInjector;
  /** Closes all three and the CDP text connection. */
  close(): Promise<void>;
}

/** Tuning for {@link openSessionDisplay}. */
export interface SessionDisplayOptions {
  readonly slotMs?: number;
  readonly copyRects?: boolean;
  readonly zstdLevel?: number;
}

/**
 * Opens capture, cursor tracking and input on a running runtime's display. They survive browser
 * restarts (the display stays; text insertion follows the new DevTools endpoint) and end with the
 * display: `source.onClose` reports it.
 */
export async function openSessionDisplay(
  runtime: SessionRuntime,
  options: SessionDisplayOptions = {},
): Promise<SessionDisplay> {
  const display = runtime.display;
  const auth = runtime.xAuthCookie;
  const text = new CdpTextInserter(() => runtime.cdpWebSocketUrl());
  const opened: Array<{ close(): unknown }> = [text];
  try {
    const source = await DisplayFrameSource.open({ display, auth, ...options });
    opened.push(source);
    const cursorConnection = await runtime.connectX({ shm: false });
    opened.push(cursorConnection);
    const cursor = await CursorTracker.start(cursorConnection);
    opened.push(cursor);
    const input = await InputInjector.open({
      display,
      auth,
      insertText: (t) => text.insertText(t),
    });
    return {
      source,
      cursor,
      input,
      close: async () => {
        await input.close().catch(() => undefined);
        cursor.close();
        await cursorConnection.close();
        await source.close();
        await text.close();
      },
    };
  } catch (err) {
    for (const o of opened.reverse()) await Promise.resolve(o.close()).catch(() => undefined);
    throw err;
  }
}
