import { type MessageOf, MODIFIER_NAMES } from '@browserpane/protocol';
import { XConnection } from '../capture/x11/connection.ts';
import type { XTestExtension } from '../capture/x11/extensions.ts';
import type { InputMessage, InputSink } from '../types.ts';
import { KeyboardMap } from './keyboard-map.ts';
import {
  CODE_KEYSYMS,
  isPrintableKey,
  keysymForChar,
  MODIFIER_CODES,
  NAMED_KEYS,
} from './keysyms.ts';

const MOD = Object.fromEntries(MODIFIER_NAMES.map((n, i) => [n, 1 << i])) as Record<
  (typeof MODIFIER_NAMES)[number],
  number
>;

/** Protocol pointer buttons → X buttons (4–7 are the wheel, so back/forward are 8/9). */
const X_BUTTON = { left: 1, middle: 2, right: 3, back: 8, forward: 9 } as const;

/**
 * Pixels Chromium scrolls per X wheel click (buttons 4–7) at device scale 1: 3 lines of 40 px.
 * Measured in `test/input.test.ts` (one click moves `scrollY` by exactly this much).
 */
export const WHEEL_PIXELS_PER_NOTCH = 120;
/** Notches one wheel message may produce at most (a bogus delta cannot flood the server). */
const MAX_NOTCHES_PER_EVENT = 20;
/** Keep X key events this far ahead of a CDP text insertion so they are not overtaken. */
const TEXT_AFTER_KEYS_MS = 25;

/** Where to inject and how to insert text. */
export interface InputInjectorOptions {
  readonly display: string;
  readonly auth?: { readonly name: string; readonly data: string };
  /**
   * Inserts text into the focused page (CDP `Input.insertText`), for IME / emoji / characters the
   * US keymap cannot type. Without it such text is typed key by key where possible and dropped
   * otherwise.
   */
  readonly insertText?: (text: string) => Promise<unknown>;
  /** Remote pixels per wheel notch (default {@link WHEEL_PIXELS_PER_NOTCH}). */
  readonly wheelPixelsPerNotch?: number;
}

/** What one key-down did, so its key-up undoes exactly that. */
type HeldKey = { readonly keycode: number } | { readonly swallowed: true };

/**
 * Applies protocol input to an X display: keys and buttons through XTEST, text through CDP.
 * Messages are applied strictly in order; bad input is ignored, never thrown.
 */
export class InputInjector implements InputSink {
  readonly #conn: XConnection;
  readonly #xtest: XTestExtension;
  readonly #keymap: KeyboardMap;
  readonly #insertText: ((text: string) => Promise<unknown>) | undefined;
  readonly #notchPx: number;
  readonly #keys = new Map<string, HeldKey>();
  readonly #buttons = new Set<number>();
  #size: { width: number; height: number };
  #queue: Promise<void> = Promise.resolve();
  #wheelX = 0;
  #wheelY = 0;
  #lastXInput = 0;

  private constructor(
    conn: XConnection,
    xtest: XTestExtension,
    keymap: KeyboardMap,
    size: { width: number; height: number },
    options: InputInjectorOptions,
  ) {
    this.#conn = conn;
    this.#xtest = xtest;
    this.#keymap = keymap;
    this.#size = size;
    this.#insertText = options.insertText;
    this.#notchPx = options.wheelPixelsPerNotch ?? WHEEL_PIXELS_PER_NOTCH;
    conn.onEvent((ev) => {
      if (ev.name !== 'RRScreenChangeNotify') return;
      void conn.rootSize().then(
        (s) => {
          this.#size = s;
        },
        () => undefined,
      );
    });
  }

  /** Connects to the display and reads its keyboard mapping. */
  static async open(options: InputInjectorOptions): Promise<InputInjector> {
    const conn = await XConnection.open(options.display, { auth: options.auth, shm: false });
    try {
      const xtest = await conn.extension('xtest');
      const keymap = await KeyboardMap.load(conn);
      const size = await conn.rootSize();
      const randr = await conn.extension('randr').catch(() => undefined);
      randr?.SelectInput(conn.root, randr.NotifyMask.ScreenChange);
      // Key repeat comes from the client (`repeat: true`); the server's own autorepeat would
      // double it while a key is held across a slow network.
      conn.client.ChangeKeyboardControl({ autoRepeatMode: 0 });
      await conn.sync();
      return new InputInjector(conn, xtest, keymap, size, options);
    } catch (err) {
      await conn.close();
      throw err;
    }
  }

  /** Applies one message after every earlier one. Never rejects. */
  apply(message: InputMessage): Promise<void> {
    const run = this.#queue.then(() => this.#apply(message)).catch(() => undefined);
    this.#queue = run;
    return run;
  }

  /**
   * Input given from now on waits until `ready` settles (at most `maxMs`), in order: a browser
   * just started ignores keys until its window is active.
   */
  holdUntil(ready: Promise<unknown>, maxMs = 3_000): void {
    let timer: NodeJS.Timeout | undefined;
    const capped = Promise.race([ready, new Promise((r) => (timer = setTimeout(r, maxMs)))]);
    const done = () => clearTimeout(timer);
    this.#queue = this.#queue.then(() => capped).then(done, done);
  }

  /** Releases every key and button held (also what `inputReset` does). */
  releaseAll(): Promise<void> {
    return this.apply({ type: 'inputReset' });
  }

  /** Releases everything and closes the X connection. */
  async close(): Promise<void> {
    await this.releaseAll();
    await this.#conn.sync().catch(() => undefined);
    await this.#conn.close();
  }

  async #apply(m: InputMessage): Promise<void> {
    if (this.#conn.closed) return;
    switch (m.type) {
      case 'keyEvent':
        return this.#key(m);
      case 'textInput':
        return this.#text(m.text);
      case 'pointerMove':
        this.#move(m.x, m.y);
        return;
      case 'pointerButton':
        this.#button(m);
        return;
      case 'wheel':
        this.#wheel(m);
        return;
      case 'inputReset':
        this.#releaseAll();
        return;
      default:
        return;
    }
  }

  #fake(type: number, detail: number, x = 0, y = 0): void {
    this.#xtest.FakeInput(type, detail, 0, this.#conn.root, x, y);
    this.#lastXInput = performance.now();
  }

  #clamp(x: number, y: number): [number, number] {
    const cx = Math.max(0, Math.min(this.#size.width - 1, Math.round(x) || 0));
    const cy = Math.max(0, Math.min(this.#size.height - 1, Math.round(y) || 0));
    return [cx, cy];
  }

  #move(x: number, y: number): void {
    const [cx, cy] = this.#clamp(x, y);
    this.#fake(this.#xtest.MotionNotify, 0, cx, cy);
  }

  #button(m: MessageOf<'pointerButton'>): void {
    const button = X_BUTTON[m.button];
    if (!button) return;
    this.#move(m.x, m.y);
    if (m.down) {
      this.#buttons.add(button);
      this.#fake(this.#xtest.ButtonPress, button);
    } else if (this.#buttons.delete(button)) {
      this.#fake(this.#xtest.ButtonRelease, button);
    }
  }

  #wheel(m: MessageOf<'wheel'>): void {
    this.#move(m.x, m.y);
    this.#wheelY += m.deltaY;
    this.#wheelX += m.deltaX;
    // Rounding, not truncation: one client notch (often 100 px) must move the page at once; the
    // remainder carries over, so the distance scrolled stays right on average.
    const ny = Math.round(this.#wheelY / this.#notchPx);
    const nx = Math.round(this.#wheelX / this.#notchPx);
    this.#wheelY -= ny * this.#notchPx;
    this.#wheelX -= nx * this.#notchPx;
    this.#clicks(ny > 0 ? 5 : 4, Math.abs(ny));
    this.#clicks(nx > 0 ? 7 : 6, Math.abs(nx));
  }

  #clicks(button: number, count: number): void {
    for (let i = 0; i < Math.min(count, MAX_NOTCHES_PER_EVENT); i++) {
      this.#fake(this.#xtest.ButtonPress, button);
      this.#fake(this.#xtest.ButtonRelease, button);
    }
  }

  async #key(m: MessageOf<'keyEvent'>): Promise<void> {
    const id = m.code || `key:${m.key}`;
    if (!m.down) {
      const held = this.#keys.get(id);
      this.#keys.delete(id);
      if (held && 'keycode' in held) this.#fake(this.#xtest.KeyRelease, held.keycode);
      return;
    }
    // Lock keys would flip server state the client has already applied to `key`.
    if (m.code === 'CapsLock' || m.key === 'CapsLock') return;
    if (m.key === 'Dead' || m.key === 'Process' || m.key === 'Compose') return;

    const command = (m.modifiers & (MOD.control | MOD.alt | MOD.meta)) !== 0;
    const altGraph = (m.modifiers & MOD.altGraph) !== 0;
    if (isPrintableKey(m.key) && (!command || altGraph)) {
      const pos = altGraph ? undefined : this.#keymap.find(keysymForChar(m.key));
      if (pos && pos.level <= 1) {
        this.#typeAt(id, pos.keycode, pos.level === 1);
        return;
      }
      this.#keys.set(id, { swallowed: true });
      await this.#text(m.key);
      return;
    }
    const keysym = this.#keysymForKey(m);
    const pos = keysym === undefined ? undefined : this.#keymap.find(keysym);
    if (!pos) return;
    this.#press(pos.keycode);
    this.#keys.set(id, { keycode: pos.keycode });
  }

  #keysymForKey(m: MessageOf<'keyEvent'>): number | undefined {
    // AltGr is a level shift, not Alt: holding Alt_R would turn the next keys into shortcuts
    if (m.key === 'AltGraph') return NAMED_KEYS.AltGraph;
    if (MODIFIER_CODES.has(m.code)) return CODE_KEYSYMS[m.code];
    if (isPrintableKey(m.key)) {
      // a shortcut (Ctrl+C …): the physical key, else the character's own key
      return CODE_KEYSYMS[m.code] ?? keysymForChar(m.key.toLowerCase());
    }
    return NAMED_KEYS[m.key] ?? CODE_KEYSYMS[m.code];
  }

  /**
   * Presses a key. The server ignores a press of a key that is already down, so a client repeat
   * becomes release + press (what X autorepeat without detectable-autorepeat sends).
   */
  #press(keycode: number): void {
    if (this.#isDown(keycode)) this.#fake(this.#xtest.KeyRelease, keycode);
    this.#fake(this.#xtest.KeyPress, keycode);
  }

  #isDown(keycode: number): boolean {
    for (const h of this.#keys.values()) if ('keycode' in h && h.keycode === keycode) return true;
    return false;
  }

  /** Presses `keycode` with Shift exactly as `shifted` needs, whatever Shift the client holds. */
  #typeAt(id: string, keycode: number, shifted: boolean): void {
    const heldShifts = [...this.#keys.values()]
      .filter((h): h is { keycode: number } => 'keycode' in h)
      .map((h) => h.keycode)
      .filter((k) => this.#keymap.shiftKeycodes.has(k));
    const shiftDown = heldShifts.length > 0;
    const shiftKey = [...this.#keymap.shiftKeycodes][0];
    if (shifted && !shiftDown && shiftKey !== undefined) {
      this.#fake(this.#xtest.KeyPress, shiftKey);
      this.#press(keycode);
      this.#fake(this.#xtest.KeyRelease, shiftKey);
    } else if (!shifted && shiftDown) {
      for (const k of heldShifts) this.#fake(this.#xtest.KeyRelease, k);
      this.#press(keycode);
      for (const k of heldShifts) this.#fake(this.#xtest.KeyPress, k);
    } else {
      this.#press(keycode);
    }
    this.#keys.set(id, { keycode });
  }

  async #text(text: string): Promise<void> {
    if (!text) return;
    if (this.#insertText) {
      const since = performance.now() - this.#lastXInput;
      if (since < TEXT_AFTER_KEYS_MS) {
        await this.#conn.sync().catch(() => undefined);
        await new Promise((r) => setTimeout(r, TEXT_AFTER_KEYS_MS - since));
      }
      await this.#insertText(text).catch(() => undefined);
      return;
    }
    for (const char of text) {
      const pos = this.#keymap.find(keysymForChar(char));
      if (!pos || pos.level > 1) continue;
      this.#typeAt('text', pos.keycode, pos.level === 1);
      this.#fake(this.#xtest.KeyRelease, pos.keycode);
      this.#keys.delete('text');
    }
  }

  #releaseAll(): void {
    const keycodes = [...this.#keys.values()]
      .filter((h): h is { keycode: number } => 'keycode' in h)
      .map((h) => h.keycode);
    this.#keys.clear();
    for (const k of keycodes.reverse()) this.#fake(this.#xtest.KeyRelease, k);
    for (const b of this.#buttons) this.#fake(this.#xtest.ButtonRelease, b);
    this.#buttons.clear();
    this.#wheelX = 0;
    this.#wheelY = 0;
  }
}
