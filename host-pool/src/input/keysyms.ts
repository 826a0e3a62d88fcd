/** X keysyms for the keys BrowserPane injects (X11/keysymdef.h values). */
export const XK = {
  BackSpace: 0xff08,
  Tab: 0xff09,
  Return: 0xff0d,
  Pause: 0xff13,
  Scroll_Lock: 0xff14,
  Escape: 0xff1b,
  Home: 0xff50,
  Left: 0xff51,
  Up: 0xff52,
  Right: 0xff53,
  Down: 0xff54,
  Prior: 0xff55,
  Next: 0xff56,
  End: 0xff57,
  Print: 0xff61,
  Insert: 0xff63,
  Menu: 0xff67,
  Num_Lock: 0xff7f,
  KP_Enter: 0xff8d,
  KP_Multiply: 0xffaa,
  KP_Add: 0xffab,
  KP_Subtract: 0xffad,
  KP_Decimal: 0xffae,
  KP_Divide: 0xffaf,
  KP_0: 0xffb0,
  F1: 0xffbe,
  Shift_L: 0xffe1,
  Shift_R: 0xffe2,
  Control_L: 0xffe3,
  Control_R: 0xffe4,
  Caps_Lock: 0xffe5,
  Alt_L: 0xffe9,
  Alt_R: 0xffea,
  Super_L: 0xffeb,
  Super_R: 0xffec,
  ISO_Level3_Shift: 0xfe03,
  Delete: 0xffff,
} as const;

/** Keys whose `KeyboardEvent.key` and `KeyboardEvent.code` have the same name. */
const SAME_NAME_KEYS: Readonly<Record<string, number>> = {
  Backspace: XK.BackSpace,
  Tab: XK.Tab,
  Enter: XK.Return,
  Escape: XK.Escape,
  Delete: XK.Delete,
  Insert: XK.Insert,
  Home: XK.Home,
  End: XK.End,
  PageUp: XK.Prior,
  PageDown: XK.Next,
  ArrowLeft: XK.Left,
  ArrowUp: XK.Up,
  ArrowRight: XK.Right,
  ArrowDown: XK.Down,
  Pause: XK.Pause,
  ScrollLock: XK.Scroll_Lock,
  PrintScreen: XK.Print,
  ContextMenu: XK.Menu,
  NumLock: XK.Num_Lock,
  ...Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`F${i + 1}`, XK.F1 + i])),
};

/** `KeyboardEvent.key` names of non-printing keys → keysym (modifiers go by `code`). */
export const NAMED_KEYS: Readonly<Record<string, number>> = {
  ...SAME_NAME_KEYS,
  AltGraph: XK.ISO_Level3_Shift,
};

function ch(c: string): number {
  return c.codePointAt(0) as number;
}

/** `KeyboardEvent.code` (physical key) → the keysym it produces unshifted on a US layout. */
export const CODE_KEYSYMS: Readonly<Record<string, number>> = {
  ...Object.fromEntries(
    Array.from({ length: 26 }, (_, i) => [`Key${String.fromCharCode(65 + i)}`, 0x61 + i]),
  ),
  ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`Digit${i}`, 0x30 + i])),
  ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`Numpad${i}`, XK.KP_0 + i])),
  ...SAME_NAME_KEYS,
  Minus: ch('-'),
  Equal: ch('='),
  BracketLeft: ch('['),
  BracketRight: ch(']'),
  Backslash: ch('\\'),
  Semicolon: ch(';'),
  Quote: ch("'"),
  Backquote: ch('`'),
  Comma: ch(','),
  Period: ch('.'),
  Slash: ch('/'),
  Space: ch(' '),
  IntlBackslash: ch('<'),
  ShiftLeft: XK.Shift_L,
  ShiftRight: XK.Shift_R,
  ControlLeft: XK.Control_L,
  ControlRight: XK.Control_R,
  AltLeft: XK.Alt_L,
  AltRight: XK.Alt_R,
  MetaLeft: XK.Super_L,
  MetaRight: XK.Super_R,
  OSLeft: XK.Super_L,
  OSRight: XK.Super_R,
  NumpadEnter: XK.KP_Enter,
  NumpadAdd: XK.KP_Add,
  NumpadSubtract: XK.KP_Subtract,
  NumpadMultiply: XK.KP_Multiply,
  NumpadDivide: XK.KP_Divide,
  NumpadDecimal: XK.KP_Decimal,
};

/** Physical modifier keys: injected by `code` so left and right stay distinct. */
export const MODIFIER_CODES: ReadonlySet<string> = new Set([
  'ShiftLeft',
  'ShiftRight',
  'ControlLeft',
  'ControlRight',
  'AltLeft',
  'AltRight',
  'MetaLeft',
  'MetaRight',
  'OSLeft',
  'OSRight',
]);

/**
 * The keysym of one Unicode character: Latin-1 characters are their own keysym, everything else
 * uses the Unicode keysym range (0x01000000 + code point).
 */
export function keysymForChar(char: string): number {
  const cp = char.codePointAt(0) as number;
  if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
  return 0x01000000 + cp;
}

/** True for a `key` value that is one printable character (not a key name like `Enter`). */
export function isPrintableKey(key: string): boolean {
  if (key.length === 0 || key.length > 2) return false;
  const cp = key.codePointAt(0) as number;
  if (String.fromCodePoint(cp) !== key) return false;
  return cp >= 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp < 0xa0);
}
