import type { Message } from '@browserpane/protocol';
import type { AttachedFeature, ClientFeature, ClientFeatureContext } from '../feature.ts';
import {
  type ClipboardData,
  ClipboardError,
  dataHash,
  dataOf,
  fitsProtocol,
  isClipboardMessage,
  isEmptyData,
  messageOf,
} from './clipboard-data.ts';
import { attachPasteCapture } from './paste-capture.ts';

/** How long a remote change the browser refused to write may still be written on focus. */
const RETRY_WINDOW_MS = 15_000;

export interface ClipboardStats {
  /** Clipboards sent to the remote. */
  readonly sent: number;
  /** Remote clipboard changes received. */
  readonly received: number;
  /** Pastes not sent because the remote already has that content (it came from there). */
  readonly suppressed: number;
  /** Local clipboard writes that worked / that the browser refused. */
  readonly localWrites: number;
  readonly localWriteErrors: number;
  /** Pastes refused for size. */
  readonly tooLarge: number;
}

/**
 * `client.feature<ClipboardApi>('clipboard')`. Events (`{ type: 'feature', feature: 'clipboard', … }`):
 * `remote` `{ data, written }` when the remote clipboard changed (written: copied to the local
 * clipboard); `sent` `{ format }`; `error` `{ code, message }` (e.g. `clipboard_too_large`). A
 * remote clipboard over the limit arrives as a `notice` event with code 1302.
 */
export interface ClipboardApi extends AttachedFeature {
  /** Sets the remote clipboard (text, or `ClipboardData` with HTML or a PNG). */
  write(data: string | ClipboardData): void;
  /** Reads the local clipboard with the async Clipboard API and sends it; false when empty. */
  syncFromLocal(): Promise<boolean>;
  /** The last content the remote clipboard sent us. */
  remote(): ClipboardData | undefined;
  /** Whether pasting reaches the remote clipboard now. */
  enabled(): boolean;
  stats(): ClipboardStats;
}

/**
 * Clipboard in both directions. Local → remote: a paste in the live view (Ctrl/Cmd+V, Shift+Insert
 * or the context menu) sends the local clipboard before the key chord reaches the remote page.
 * Remote → local: the remote clipboard is written to the local one with the async Clipboard API
 * (retried on focus within 15 s if the browser refused). Content that came from the remote is never
 * sent back.
 */
export function clipboardFeature(): ClientFeature<ClipboardApi> {
  return {
    name: 'clipboard',
    wants: ['clipboard'],
    messages: ['clipboardText', 'clipboardHtml', 'clipboardImage'],
    attach: (ctx) => new ClipboardSync(ctx),
  };
}

class ClipboardSync implements ClipboardApi {
  private readonly detach: Array<() => void> = [];
  /** Digest of what both sides last agreed the clipboard is. */
  private lastHash: string | undefined;
  private lastRemote: ClipboardData | undefined;
  private unwritten: ClipboardData | undefined;
  private unwrittenAt = 0;
  private readonly counts = {
    sent: 0,
    received: 0,
    suppressed: 0,
    localWrites: 0,
    localWriteErrors: 0,
    tooLarge: 0,
  };

  constructor(private readonly ctx: ClientFeatureContext) {
    this.detach.push(
      attachPasteCapture({
        root: ctx.stage.root,
        input: ctx.stage.input,
        enabled: () => this.enabled(),
        onPaste: async (data) => this.pasted(data),
      }),
    );
    const retry = () => {
      // Only a recent change: later, the user may have copied something else locally.
      if (this.unwritten && performance.now() - this.unwrittenAt < RETRY_WINDOW_MS)
        void this.writeLocal(this.unwritten);
    };
    globalThis.addEventListener?.('focus', retry);
    ctx.stage.input.addEventListener('focus', retry);
    this.detach.push(() => {
      globalThis.removeEventListener?.('focus', retry);
      ctx.stage.input.removeEventListener('focus', retry);
    });
  }

  enabled(): boolean {
    return this.ctx.capabilities.includes('clipboard') && this.ctx.controls();
  }

  write(data: string | ClipboardData): void {
    const d: ClipboardData = typeof data === 'string' ? { text: data } : data;
    if (!this.enabled())
      throw new ClipboardError(
        'not_permitted',
        'this participant may not set the remote clipboard',
      );
    if (!fitsProtocol(d)) {
      this.counts.tooLarge++;
      throw new ClipboardError('clipboard_too_large', tooLargeMessage(d));
    }
    this.send(d);
  }

  async syncFromLocal(): Promise<boolean> {
    let text: string;
    try {
      text = await navigator.clipboard.readText();
    } catch (err) {
      throw new ClipboardError(
        'local_clipboard_unavailable',
        `the browser refused to read the clipboard (${(err as Error).message})`,
      );
    }
    if (text === '') return false;
    this.write(text);
    return true;
  }

  remote(): ClipboardData | undefined {
    return this.lastRemote;
  }

  stats(): ClipboardStats {
    return { ...this.counts };
  }

  onMessage(m: Message): void {
    if (!isClipboardMessage(m)) return;
    const data = dataOf(m);
    this.counts.received++;
    this.lastRemote = data;
    this.lastHash = dataHash(data);
    void this.writeLocal(data).then((written) => this.ctx.emit('remote', { data, written }));
  }

  dispose(): void {
    for (const d of this.detach.splice(0)) d();
  }

  /** The paste capture's callback: send unless it is an echo; false drops the key chord. */
  private pasted(data: ClipboardData): boolean {
    if (isEmptyData(data)) return true;
    if (!fitsProtocol(data)) {
      this.counts.tooLarge++;
      this.ctx.emit('error', { code: 'clipboard_too_large', message: tooLargeMessage(data) });
      // Pasting the remote's older clipboard instead would be worse than pasting nothing.
      return false;
    }
    if (dataHash(data) === this.lastHash) {
      this.counts.suppressed++;
      return true;
    }
    this.send(data);
    return true;
  }

  private send(d: ClipboardData): void {
    const m = messageOf(d);
    this.ctx.send(m);
    this.lastHash = dataHash(d);
    this.counts.sent++;
    this.ctx.emit('sent', {
      format: m.type === 'clipboardImage' ? 'image' : m.type === 'clipboardHtml' ? 'html' : 'text',
    });
  }

  private async writeLocal(d: ClipboardData): Promise<boolean> {
    try {
      const clip = globalThis.navigator?.clipboard;
      if (!clip) throw new Error('no async Clipboard API');
      if (d.png) {
        await clip.write([
          new ClipboardItem({ 'image/png': new Blob([d.png as BlobPart], { type: 'image/png' }) }),
        ]);
      } else if (d.html) {
        await clip.write([
          new ClipboardItem({
            'text/html': new Blob([d.html], { type: 'text/html' }),
            'text/plain': new Blob([d.text], { type: 'text/plain' }),
          }),
        ]);
      } else {
        await clip.writeText(d.text);
      }
      this.counts.localWrites++;
      if (this.unwritten === d) this.unwritten = undefined;
      return true;
    } catch {
      // Not focused, or permission denied: keep it for the next focus (and `remote()`).
      this.counts.localWriteErrors++;
      if (this.unwritten !== d) this.unwrittenAt = performance.now();
      this.unwritten = d;
      return false;
    }
  }
}

function tooLargeMessage(d: ClipboardData): string {
  return d.png
    ? 'The clipboard image is larger than 8 MiB and was not sent to the session.'
    : 'The clipboard holds more than 1 MiB of text and was not sent to the session.';
}
