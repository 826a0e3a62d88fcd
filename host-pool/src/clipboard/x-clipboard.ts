import type { XEvent } from 'x11';
import type { XConnection } from '../capture/x11/connection.ts';
import type { ClipboardContent, ClipboardLimits } from './clipboard-content.ts';
import { ClipboardError } from './errors.ts';
import { SelectionOwner, type SelectionRequestEvent } from './selection-owner.ts';
import { type ReadResult, SelectionReader } from './selection-reader.ts';
import {
  type Atoms,
  EV_PROPERTY_NOTIFY,
  EV_SELECTION_CLEAR,
  EV_SELECTION_NOTIFY,
  EV_SELECTION_REQUEST,
  type FixesSelection,
  internAtoms,
  PROPERTY_CHANGE_MASK,
  PROPERTY_NEW_VALUE,
  type SelectionClient,
  selectionClient,
} from './x-atoms.ts';

const INPUT_ONLY = 2;

/**
 * The session display's CLIPBOARD through X selections, on a connection of its own: an unmapped
 * input-only window owns the selection when a client pastes (and serves it to Chromium), reads
 * it when someone else owns it, and XFIXES reports every change of owner. Pure X protocol, no
 * helper processes.
 */
export class XClipboard {
  private readonly owner: SelectionOwner;
  private readonly reader: SelectionReader;
  private readonly listeners = new Set<() => void>();
  private readonly offEvent: () => void;
  private reading: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly conn: XConnection,
    private readonly client: SelectionClient,
    private readonly atoms: Atoms,
    private readonly window: number,
    private readonly fixesEvent: number,
  ) {
    this.owner = new SelectionOwner(client, atoms, window);
    this.reader = new SelectionReader(conn, client, atoms, window);
    this.offEvent = conn.onEvent((ev) => this.onEvent(ev));
  }

  /** Opens the bridge on `conn` (which it then owns and closes). */
  static async open(conn: XConnection): Promise<XClipboard> {
    try {
      const client = selectionClient(conn);
      const atoms = await internAtoms(conn);
      const fixes = (await conn.extension('fixes')) as unknown as FixesSelection;
      const window = client.AllocID();
      client.CreateWindow(window, conn.root, -10, -10, 1, 1, 0, 0, INPUT_ONLY, 0, {
        eventMask: PROPERTY_CHANGE_MASK,
      });
      const m = fixes.SelectionEventMask;
      fixes.SelectSelectionInput(
        window,
        atoms.CLIPBOARD,
        m.SetSelectionOwner | m.SelectionWindowDestroy | m.SelectionClientClose,
      );
      await conn.sync();
      return new XClipboard(conn, client, atoms, window, fixes.firstEvent);
    } catch (err) {
      await conn.close();
      throw new ClipboardError('x_unavailable', 'cannot watch the X clipboard', { cause: err });
    }
  }

  /** Called when another X client takes the CLIPBOARD (a page or the user copied). */
  onForeignOwner(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Makes `content` the display's clipboard: we own CLIPBOARD and serve it on request. */
  set(content: ClipboardContent): void {
    if (this.closed) throw new ClipboardError('closed', 'clipboard bridge closed');
    this.owner.own(content);
  }

  /** Whether the clipboard is ours (the last change came from a client). */
  get owning(): boolean {
    return this.owner.owning;
  }

  /** Requests served to other X clients so far. */
  get served(): number {
    return this.owner.served;
  }

  /** Reads the current clipboard (serialized: one conversion at a time on our property). */
  read(limits: ClipboardLimits): Promise<ReadResult> {
    if (this.closed) return Promise.reject(new ClipboardError('closed', 'clipboard bridge closed'));
    const next = this.reading.then(() => this.reader.read(limits));
    this.reading = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.offEvent();
    this.listeners.clear();
    try {
      this.client.DestroyWindow(this.window);
    } catch {
      // the display is already gone
    }
    await this.conn.close();
  }

  private onEvent(ev: XEvent): void {
    const type = ev.type & 0x7f;
    if (type === this.fixesEvent) {
      const owner = Number(ev.owner);
      // Our own SetSelectionOwner, or the selection vanished with its owner: nothing to read.
      if (owner === this.window || owner === 0) return;
      this.owner.release();
      for (const l of this.listeners) l();
      return;
    }
    switch (type) {
      case EV_SELECTION_REQUEST:
        if (Number(ev.owner) === this.window)
          this.owner.serve(ev as unknown as SelectionRequestEvent);
        return;
      case EV_SELECTION_CLEAR:
        if (Number(ev.owner) === this.window && Number(ev.selection) === this.atoms.CLIPBOARD)
          this.owner.release();
        return;
      case EV_SELECTION_NOTIFY:
        this.reader.onSelectionNotify(
          ev as unknown as { requestor: number; target: number; property: number },
        );
        return;
      case EV_PROPERTY_NOTIFY:
        if (Number(ev.wid) === this.window && Number(ev.state) === PROPERTY_NEW_VALUE)
          this.reader.onNewValue(Number(ev.atom));
        return;
      default:
        return;
    }
  }
}
