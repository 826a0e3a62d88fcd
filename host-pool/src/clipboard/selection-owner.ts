import type { ClipboardContent } from './clipboard-content.ts';
import { type Atoms, type SelectionClient, XA_ATOM, XA_STRING } from './x-atoms.ts';

/**
 * Largest property write per request. The `x11` package does not use BIG-REQUESTS encoding, so
 * one request is at most 2^16 − 1 words (256 KiB); bigger values are written as a replace plus
 * appends, and the requestor reads them with one GetProperty (its reply length is 32-bit).
 */
const MAX_WRITE_BYTES = 192 * 1024;
const PROP_MODE_REPLACE = 0;
const PROP_MODE_APPEND = 2;

/** A SelectionRequest event as the `x11` package parses it. */
export interface SelectionRequestEvent {
  readonly time: number;
  readonly owner: number;
  readonly requestor: number;
  readonly selection: number;
  readonly target: number;
  readonly property: number;
}

interface Reply {
  readonly type: number;
  readonly format: 8 | 32;
  readonly data: Buffer;
}

/**
 * Serves CLIPBOARD requests while we own it: TARGETS, the text formats (UTF8_STRING, STRING,
 * TEXT, text/plain, text/plain;charset=utf-8), text/html and image/png — whichever the content
 * has. Anything else (MULTIPLE, TIMESTAMP conversions we do not keep, unknown targets) is refused
 * with property None, as ICCCM asks.
 */
export class SelectionOwner {
  private content: ClipboardContent | undefined;
  /** Requests served (tests, diagnostics). */
  served = 0;

  constructor(
    private readonly client: SelectionClient,
    private readonly atoms: Atoms,
    private readonly window: number,
  ) {}

  /** Takes the CLIPBOARD selection with `content`. */
  own(content: ClipboardContent): void {
    this.content = content;
    this.client.SetSelectionOwner(this.window, this.atoms.CLIPBOARD, 0);
  }

  /** We lost the selection (another client took it). */
  release(): void {
    this.content = undefined;
  }

  get owning(): boolean {
    return this.content !== undefined;
  }

  /** Answers one SelectionRequest addressed to our window. */
  serve(ev: SelectionRequestEvent): void {
    // Obsolete requestors pass None: ICCCM says use the target atom as the property.
    const property = ev.property || ev.target;
    const reply =
      ev.selection === this.atoms.CLIPBOARD && this.content
        ? this.replyFor(ev.target, this.content)
        : undefined;
    if (reply) {
      this.write(ev.requestor, property, reply);
      this.served++;
    }
    this.client.SendEvent(ev.requestor, 0, 0, {
      name: 'SelectionNotify',
      type: 31,
      seq: 0,
      time: ev.time,
      requestor: ev.requestor,
      selection: ev.selection,
      target: ev.target,
      property: reply ? property : 0,
    });
  }

  private replyFor(target: number, c: ClipboardContent): Reply | undefined {
    const a = this.atoms;
    const text = c.png ? undefined : c.text;
    if (target === a.TARGETS) {
      const targets = [a.TARGETS];
      if (text !== undefined)
        targets.push(
          a.UTF8_STRING,
          a['text/plain;charset=utf-8'],
          a.TEXT,
          XA_STRING,
          a['text/plain'],
        );
      if (c.html !== undefined && !c.png) targets.push(a['text/html']);
      if (c.png) targets.push(a['image/png']);
      const data = Buffer.alloc(targets.length * 4);
      targets.forEach((t, i) => {
        data.writeUInt32LE(t >>> 0, i * 4);
      });
      return { type: XA_ATOM, format: 32, data };
    }
    if (text !== undefined) {
      if (target === a.UTF8_STRING || target === a.TEXT)
        return { type: a.UTF8_STRING, format: 8, data: Buffer.from(text, 'utf8') };
      if (target === a['text/plain;charset=utf-8'] || target === a['text/plain'])
        return { type: target, format: 8, data: Buffer.from(text, 'utf8') };
      if (target === XA_STRING) return { type: XA_STRING, format: 8, data: latin1(text) };
      if (target === a['text/html'] && c.html !== undefined)
        return { type: target, format: 8, data: Buffer.from(c.html, 'utf8') };
    }
    if (target === a['image/png'] && c.png)
      return { type: target, format: 8, data: Buffer.from(c.png) };
    return undefined;
  }

  private write(window: number, property: number, reply: Reply): void {
    const { data } = reply;
    if (data.byteLength <= MAX_WRITE_BYTES) {
      this.client.ChangeProperty(
        PROP_MODE_REPLACE,
        window,
        property,
        reply.type,
        reply.format,
        data,
      );
      return;
    }
    for (let at = 0; at < data.byteLength; at += MAX_WRITE_BYTES) {
      this.client.ChangeProperty(
        at === 0 ? PROP_MODE_REPLACE : PROP_MODE_APPEND,
        window,
        property,
        reply.type,
        reply.format,
        data.subarray(at, Math.min(data.byteLength, at + MAX_WRITE_BYTES)),
      );
    }
  }
}

/** ISO Latin-1 for the STRING target: characters outside it become `?`. */
function latin1(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 63;
    out[n++] = code <= 0xff ? code : 63;
  }
  return out.subarray(0, n);
}
