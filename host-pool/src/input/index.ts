/**
 * Input: protocol input messages applied to an X display (XTEST keys, buttons, wheel) and to the
 * page (CDP `Input.insertText` for text the keymap cannot type).
 * @module
 */
export { CdpTextInserter } from './cdp-text-inserter.ts';
export {
  InputInjector,
  type InputInjectorOptions,
  WHEEL_PIXELS_PER_NOTCH,
} from './input-injector.ts';
export { KeyboardMap, type KeyPosition } from './keyboard-map.ts';
export { CODE_KEYSYMS, isPrintableKey, keysymForChar, NAMED_KEYS, XK } from './keysyms.ts';
