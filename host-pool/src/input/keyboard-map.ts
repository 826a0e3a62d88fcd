import type { XConnection } from '../capture/x11/connection.ts';

/** Where a keysym sits on the keyboard: keycode and shift level (0 plain, 1 shifted). */
export interface KeyPosition {
  readonly keycode: number;
  readonly level: number;
}

/** Modifier indexes in the X modifier mapping. */
const SHIFT = 0;
const CONTROL = 2;
const MOD1 = 3;
const MOD4 = 6;
const MOD5 = 7;

/**
 * The X server's keyboard mapping, read once: keysym → keycode (lowest shift level first) and
 * which keycodes are modifiers. The injector asks this instead of assuming evdev + 8, so a server
 * with a different keymap still gets the right keys.
 */
export class KeyboardMap {
  readonly #byKeysym = new Map<number, KeyPosition>();
  readonly shiftKeycodes: ReadonlySet<number>;
  /** Control, Alt (mod1), Super (mod4) and AltGr (mod5) keycodes. */
  readonly commandKeycodes: ReadonlySet<number>;

  private constructor(
    minKeycode: number,
    rows: readonly (readonly number[])[],
    modifiers: readonly (readonly number[])[],
  ) {
    for (let level = 0; level < 2; level++) {
      rows.forEach((syms, i) => {
        const keysym = syms[level];
        if (!keysym || this.#byKeysym.has(keysym)) return;
        this.#byKeysym.set(keysym, { keycode: minKeycode + i, level });
      });
    }
    const codes = (index: number): number[] => (modifiers[index] ?? []).filter((k) => k !== 0);
    this.shiftKeycodes = new Set(codes(SHIFT));
    this.commandKeycodes = new Set([
      ...codes(CONTROL),
      ...codes(MOD1),
      ...codes(MOD4),
      ...codes(MOD5),
    ]);
  }

  /** Reads the mapping of `conn`'s server. */
  static async load(conn: XConnection): Promise<KeyboardMap> {
    const display = conn.client.display as unknown as { min_keycode: number; max_keycode: number };
    const min = display.min_keycode;
    const count = display.max_keycode - min + 1;
    const rows = await conn.request<number[][]>(
      (cb) => conn.client.GetKeyboardMapping(min, count, cb),
      'GetKeyboardMapping',
    );
    const modifiers = await conn.request<number[][]>(
      (cb) => conn.client.GetModifierMapping(cb),
      'GetModifierMapping',
    );
    return new KeyboardMap(min, rows, modifiers);
  }

  /** Builds a map from raw rows (tests). */
  static fromRows(
    minKeycode: number,
    rows: readonly (readonly number[])[],
    modifiers: readonly (readonly number[])[] = [],
  ): KeyboardMap {
    return new KeyboardMap(minKeycode, rows, modifiers);
  }

  /** Position of `keysym` at shift level 0 or 1; undefined if the layout lacks it. */
  find(keysym: number): KeyPosition | undefined {
    return this.#byKeysym.get(keysym);
  }
}
