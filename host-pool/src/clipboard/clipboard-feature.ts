import { CAP } from '@browserpane/protocol';
import type { SessionFeature } from '../sessions/feature.ts';
import { ClipboardBridge } from './clipboard-bridge.ts';
import { type ClipboardLimits, DEFAULT_CLIPBOARD_LIMITS } from './clipboard-content.ts';
import { XClipboard } from './x-clipboard.ts';

export interface ClipboardFeatureOptions {
  /** Per-format byte limits (default: the protocol's, 1 MiB text/HTML and 8 MiB images). */
  readonly limits?: ClipboardLimits;
}

/** The running clipboard of one session (tests and diagnostics reach it through the registry). */
export interface SessionClipboard {
  readonly bridge: ClipboardBridge;
  readonly x: XClipboard;
}

const running = new Map<string, SessionClipboard>();

/** The clipboard bridge of a live session on this host, if the feature runs there. */
export function sessionClipboard(sessionId: string): SessionClipboard | undefined {
  return running.get(sessionId);
}

/**
 * Clipboard in both directions between the participants and the session's X display (text, HTML
 * with its text, PNG images), with echo suppression and size limits. Off for sessions created
 * with the `clipboard` capability switched off: then nothing watches or touches the display's
 * selections at all.
 */
export function clipboardFeature(options: ClipboardFeatureOptions = {}): SessionFeature {
  const limits = options.limits ?? DEFAULT_CLIPBOARD_LIMITS;
  return {
    name: 'clipboard',
    // X selections through the pure-JS x11 client: every host can.
    capabilities: async () => CAP.clipboard,
    async attach(ctx) {
      if (ctx.options.capabilities.clipboard === false) return async () => undefined;
      let x: XClipboard;
      try {
        x = await XClipboard.open(await ctx.runtime.connectX({ shm: false }));
      } catch (err) {
        // The session still runs; its participants' clipboard messages are refused and counted.
        ctx.log.warn('clipboard is off for this session', { err });
        return async () => undefined;
      }
      const bridge = new ClipboardBridge(ctx.hub, x, limits, ctx.log);
      running.set(ctx.sessionId, { bridge, x });
      return async () => {
        if (running.get(ctx.sessionId)?.bridge === bridge) running.delete(ctx.sessionId);
        bridge.stop();
        await x.close();
      };
    },
  };
}
