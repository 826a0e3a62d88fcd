import type { XConnection } from '../capture/x11/connection.ts';
import type { ClipboardContent, ClipboardLimits } from './clipboard-content.ts';
import { ClipboardError } from './errors.ts';
import {
  ANY_PROPERTY_TYPE,
  type Atoms,
  CURRENT_TIME,
  type SelectionClient,
  TRANSFER_PROPERTIES,
  XA_STRING,
} from './x-atoms.ts';

/**
 * How long an owner may take to answer a conversion, and between INCR chunks (a busy browser
 * on a loaded host can take seconds; ICCCM suggests giving up only after a long while).
 */
const ANSWER_TIMEOUT_MS = 5000;
/**
 * Ask again, into a fresh property, when a conversion is unanswered this long (doubling each
 * time, so a slow owner is asked a few times, not flooded): an answer that never comes (a
 * request the owner dropped, or answered into a property we no longer read) then costs this
 * much instead of the whole timeout. Whichever answer comes first is read.
 */
const FIRST_REASK_MS = 300;
/** Stop draining an INCR transfer we already gave up on after this much. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** What reading the remote clipboard found. */
export type ReadResult =
  | { readonly kind: 'content'; readonly content: ClipboardContent }
  | { readonly kind: 'empty' }
  | { readonly kind: 'too_large'; readonly format: 'text' | 'html' | 'image' };

interface Fetched {
  readonly data: Buffer;
  readonly overflow: boolean;
}

/**
 * Reads the CLIPBOARD selection as a requestor: TARGETS first, then the best formats (image/png,
 * else text/html with UTF-8 text, else text), each converted into a property on our window and
 * read back — whole, or in INCR chunks from owners that send large values incrementally (Chromium
 * does above ≈256 KiB). One read at a time; values over the limits are drained and reported, never
 * buffered beyond the limit.
 */
export class SelectionReader {
  private selectionWaiter: ((ev: { target: number; property: number }) => void) | undefined;
  private newValues = 0;
  private valueWaiter: (() => void) | undefined;
  private requests = 0;
  /** The property the current value is read from (they take turns, see TRANSFER_PROPERTIES). */
  private prop: number;

  constructor(
    private readonly conn: XConnection,
    private readonly client: SelectionClient,
    private readonly atoms: Atoms,
    private readonly window: number,
  ) {
    this.prop = atoms[TRANSFER_PROPERTIES[0]];
  }

  /** Feed core SelectionNotify events addressed to our window. */
  onSelectionNotify(ev: { requestor: number; target: number; property: number }): void {
    if (ev.requestor === this.window) this.selectionWaiter?.(ev);
  }

  /** Feed PropertyNotify(NewValue) events of our window (`atom`: which property). */
  onNewValue(atom: number): void {
    if (atom !== this.prop) return;
    this.newValues++;
    this.valueWaiter?.();
  }

  async read(limits: ClipboardLimits): Promise<ReadResult> {
    const a = this.atoms;
    const targetList = await this.fetch(a.TARGETS, 64 * 1024);
    if (!targetList) return { kind: 'empty' };
    const targets = new Set<number>();
    for (let i = 0; i + 4 <= targetList.data.byteLength; i += 4)
      targets.add(targetList.data.readUInt32LE(i));

    if (targets.has(a['image/png'])) {
      const png = await this.fetch(a['image/png'], limits.imageBytes);
      if (png?.overflow) return { kind: 'too_large', format: 'image' };
      if (png && png.data.byteLength > 0)
        return { kind: 'content', content: { text: '', png: new Uint8Array(png.data) } };
    }
    const textTarget = [
      a.UTF8_STRING,
      a['text/plain;charset=utf-8'],
      XA_STRING,
      a['text/plain'],
    ].find((t) => targets.has(t));
    let text = '';
    if (textTarget !== undefined) {
      const got = await this.fetch(textTarget, limits.textBytes);
      if (got?.overflow) return { kind: 'too_large', format: 'text' };
      if (got) text = textTarget === XA_STRING ? got.data.toString('latin1') : decodeText(got.data);
    }
    if (targets.has(a['text/html'])) {
      const html = await this.fetch(a['text/html'], limits.textBytes);
      if (html?.overflow) return { kind: 'too_large', format: 'html' };
      if (html && html.data.byteLength > 0)
        return { kind: 'content', content: { text, html: decodeText(html.data) } };
    }
    return text === '' ? { kind: 'empty' } : { kind: 'content', content: { text } };
  }

  /** The next property of our window to convert into (each request gets a fresh one). */
  private nextProperty(): number {
    this.requests++;
    const name = TRANSFER_PROPERTIES[this.requests % TRANSFER_PROPERTIES.length];
    return this.atoms[name ?? 'BROWSERPANE_SEL_0'];
  }

  /**
   * Converts the selection to `target`, asking again into a fresh property while unanswered,
   * and resolves with the first answer to one of these requests (its property; 0: refused).
   */
  private convert(target: number): Promise<number> {
    const asked = new Set<number>();
    return new Promise<number>((resolve, reject) => {
      let reask: NodeJS.Timeout | undefined;
      const ask = (wait: number) => {
        const prop = this.nextProperty();
        asked.add(prop);
        this.client.ConvertSelection(this.window, this.atoms.CLIPBOARD, target, prop, CURRENT_TIME);
        reask = setTimeout(() => ask(wait * 2), wait);
      };
      const timer = setTimeout(() => {
        clearTimeout(reask);
        this.selectionWaiter = undefined;
        reject(new ClipboardError('transfer_failed', 'the clipboard owner did not answer'));
      }, ANSWER_TIMEOUT_MS);
      this.selectionWaiter = (ev) => {
        if (ev.target !== target || (ev.property !== 0 && !asked.has(ev.property))) return;
        clearTimeout(timer);
        clearTimeout(reask);
        this.selectionWaiter = undefined;
        resolve(ev.property);
      };
      ask(FIRST_REASK_MS);
    });
  }

  /** Converts the selection to `target` and reads the value (undefined when the owner refused). */
  private async fetch(target: number, limit: number): Promise<Fetched | undefined> {
    const prop = await this.convert(target);
    if (prop === 0) return undefined;
    this.prop = prop;
    this.newValues = 0;
    const words = Math.ceil((limit + 1) / 4);
    // Read without deleting: deleting an INCR header is what starts the owner's transfer.
    const first = await this.getProperty(false, words);
    // Events before this reply belong to the header write, not to chunks.
    this.newValues = 0;
    if (first.type === this.atoms.INCR) {
      // The header is a lower bound of the size. Over the limit: do not start the transfer at
      // all (the owner gives up on it by itself) instead of draining bytes nobody wants.
      const atLeast = first.data.byteLength >= 4 ? first.data.readUInt32LE(0) : 0;
      if (atLeast > limit) return { data: Buffer.alloc(0), overflow: true };
      this.client.DeleteProperty(this.window, prop);
      return this.readIncremental(limit);
    }
    this.client.DeleteProperty(this.window, prop);
    if (first.bytesAfter > 0 || first.data.byteLength > limit)
      return { data: Buffer.alloc(0), overflow: true };
    return { data: Buffer.from(first.data), overflow: false };
  }

  private async readIncremental(limit: number): Promise<Fetched> {
    const chunks: Buffer[] = [];
    let total = 0;
    let overflow = false;
    for (;;) {
      await this.nextValue();
      const chunk = await this.getProperty(true, Math.ceil((limit + 1) / 4));
      // No property at all: a notification for data already taken (an owner may write one
      // chunk in several requests). Only an existing, empty property ends the transfer.
      if (chunk.type === ANY_PROPERTY_TYPE) continue;
      const size = chunk.data.byteLength + chunk.bytesAfter;
      if (chunk.bytesAfter > 0) this.client.DeleteProperty(this.window, this.prop);
      if (size === 0) break;
      total += size;
      if (total > limit) overflow = true;
      if (!overflow) chunks.push(Buffer.from(chunk.data));
      if (total > MAX_DRAIN_BYTES)
        throw new ClipboardError('transfer_failed', 'INCR transfer too long');
    }
    return { data: overflow ? Buffer.alloc(0) : Buffer.concat(chunks), overflow };
  }

  private getProperty(
    del: boolean,
    words: number,
  ): Promise<{ type: number; bytesAfter: number; data: Buffer }> {
    return this.conn.request(
      (cb) =>
        this.client.GetProperty(
          del ? 1 : 0,
          this.window,
          this.prop,
          ANY_PROPERTY_TYPE,
          0,
          words,
          cb,
        ),
      'GetProperty',
    );
  }

  private nextValue(): Promise<void> {
    if (this.newValues > 0) {
      this.newValues--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.valueWaiter = undefined;
        reject(new ClipboardError('transfer_failed', 'the clipboard owner stopped sending'));
      }, ANSWER_TIMEOUT_MS);
      this.valueWaiter = () => {
        clearTimeout(timer);
        this.valueWaiter = undefined;
        this.newValues--;
        resolve();
      };
    });
  }
}

/** UTF-8, or UTF-16 when the owner marked it with a byte-order mark (Firefox writes HTML so). */
function decodeText(data: Buffer): string {
  if (data.byteLength >= 2 && data[0] === 0xff && data[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(data.subarray(2));
  if (data.byteLength >= 2 && data[0] === 0xfe && data[1] === 0xff)
    return new TextDecoder('utf-16be').decode(data.subarray(2));
  // Some owners NUL-terminate; a stray NUL is never clipboard content.
  const end = data.indexOf(0);
  return new TextDecoder('utf-8').decode(end >= 0 ? data.subarray(0, end) : data);
}
