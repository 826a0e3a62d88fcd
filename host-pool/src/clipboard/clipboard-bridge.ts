import { CAP, CLOSE_CODES, type Message } from '@browserpane/protocol';
import type { Logger } from '../log.ts';
import type { Participant } from '../relay/participant.ts';
import type { SessionHub } from '../relay/session-hub.ts';
import {
  type ClipboardContent,
  type ClipboardLimits,
  contentHash,
  contentOf,
  fitsLimits,
  isClipboardMessage,
  isEmpty,
  messageOf,
} from './clipboard-content.ts';
import type { ReadResult } from './selection-reader.ts';

/** The X side of the bridge (XClipboard, or a stand-in in unit tests). */
export interface ClipboardBackend {
  set(content: ClipboardContent): void;
  read(limits: ClipboardLimits): Promise<ReadResult>;
  onForeignOwner(listener: () => void): () => void;
}

/** What the bridge did (tests, diagnostics). */
export interface ClipboardStats {
  /** Client clipboards applied to the display. */
  fromClients: number;
  /** Remote clipboard changes read from the display. */
  remoteChanges: number;
  /** Messages sent to participants. */
  sent: number;
  /** Sends skipped because the participant already had that content (echo suppression). */
  suppressed: number;
  /** Contents over the limits, in either direction. */
  tooLarge: number;
  /** Reads that failed (owner vanished, transfer broke off). */
  readErrors: number;
}

const TOO_LARGE_TEXT: Record<'text' | 'html' | 'image' | 'incoming', string> = {
  text: 'The remote clipboard holds more text than the clipboard limit; it was not copied to your device.',
  html: 'The remote clipboard holds more HTML than the clipboard limit; it was not copied to your device.',
  image:
    'The remote clipboard holds an image larger than the clipboard limit; it was not copied to your device.',
  incoming: 'Your clipboard is larger than this host accepts; it was not pasted into the session.',
};

/** Reads of one clipboard change before giving up. */
const READ_ATTEMPTS = 3;

/** Quiet time after an owner change before reading (pages often set the clipboard twice). */
const READ_DELAY_MS = 60;

/**
 * Connects the participants' clipboards to the display's. A controlling participant's clipboard
 * message becomes the display's clipboard; a change made on the display (a page or the user
 * copied) is read and sent to every participant granted `clipboard`. Each participant has a
 * digest of the content it last sent or received, so content never goes back to where it came
 * from. Over-limit content is never applied or sent: the participants concerned get a
 * `clipboard_too_large` notice instead.
 */
export class ClipboardBridge {
  readonly stats: ClipboardStats = {
    fromClients: 0,
    remoteChanges: 0,
    sent: 0,
    suppressed: 0,
    tooLarge: 0,
    readErrors: 0,
  };
  private readonly known = new WeakMap<Participant, string>();
  private readonly offOwner: () => void;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly hub: SessionHub,
    private readonly backend: ClipboardBackend,
    private readonly limits: ClipboardLimits,
    private readonly log: Logger,
  ) {
    for (const type of ['clipboardText', 'clipboardHtml', 'clipboardImage'] as const)
      hub.handle(type, (m, p) => this.fromClient(m, p));
    this.offOwner = backend.onForeignOwner(() => this.scheduleRead());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.offOwner();
  }

  /** A participant pasted: make it the display's clipboard (the hub checked capability and control). */
  private fromClient(m: Message, p: Participant): void {
    if (this.stopped || !isClipboardMessage(m)) return;
    const content = contentOf(m);
    if (isEmpty(content)) return;
    if (!fitsLimits(content, this.limits)) {
      this.stats.tooLarge++;
      this.notice(p, TOO_LARGE_TEXT.incoming);
      return;
    }
    this.known.set(p, contentHash(content));
    try {
      this.backend.set(content);
      this.stats.fromClients++;
    } catch (err) {
      this.log.warn('cannot set the display clipboard', { err });
    }
  }

  private scheduleRead(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.readAndSend(), READ_DELAY_MS);
  }

  private async readAndSend(attempt = 1): Promise<void> {
    // Nobody to tell (only viewers, or nobody at all): the page's clipboard stays unread.
    if (!this.hub.list().some((p) => p.capabilities & CAP.clipboard)) return;
    let result: ReadResult;
    try {
      result = await this.backend.read(this.limits);
    } catch (err) {
      this.stats.readErrors++;
      this.log.info('cannot read the display clipboard', { err: String(err), attempt });
      // The owner gives up on a transfer when we are slow (Chromium after a second, easily
      // reached on a loaded host), or it replaced its content mid-transfer: try again.
      if (attempt < READ_ATTEMPTS && !this.stopped)
        setTimeout(() => void this.readAndSend(attempt + 1), 250 * attempt);
      return;
    }
    if (this.stopped || result.kind === 'empty') return;
    const receivers = this.hub.list().filter((p) => p.capabilities & CAP.clipboard);
    if (result.kind === 'too_large') {
      this.stats.tooLarge++;
      for (const p of receivers) {
        // Whatever they had is no longer the display's clipboard.
        this.known.delete(p);
        this.notice(p, TOO_LARGE_TEXT[result.format]);
      }
      return;
    }
    this.stats.remoteChanges++;
    const hash = contentHash(result.content);
    const message = messageOf(result.content);
    for (const p of receivers) {
      if (this.known.get(p) === hash) {
        this.stats.suppressed++;
        continue;
      }
      this.known.set(p, hash);
      p.peer.send(message);
      this.stats.sent++;
    }
  }

  private notice(p: Participant, message: string): void {
    p.peer.send({
      type: 'notice',
      level: 'warning',
      code: CLOSE_CODES.clipboard_too_large,
      message,
    });
  }
}
