import { MAX_CLIPBOARD_BYTES, MAX_CLIPBOARD_IMAGE_BYTES, MAX_CURSOR_SIZE } from '../limits.ts';
import { bool, bytes, enumOf, flags, i16, str, u16, u32 } from '../wire/fields.ts';
import { channel, message } from './define.ts';

/** Modifier keys held during an input event (bit set). */
export const MODIFIER_NAMES = ['shift', 'control', 'alt', 'meta', 'altGraph', 'capsLock'] as const;
const modifiers = flags(1, MODIFIER_NAMES);

export const POINTER_BUTTONS = { left: 0, middle: 1, right: 2, back: 3, forward: 4 } as const;

export const inputChannel = channel({
  id: 0x02,
  name: 'input',
  doc: 'Keyboard and pointer input from a client, in remote display pixels. Needs the `input` capability.',
  messages: {
    keyEvent: message({
      tag: 0x01,
      dir: 'c2s',
      requires: 'input',
      doc: 'A key went down or up. `code` is the physical key (`KeyboardEvent.code`, e.g. `KeyA`), `key` the produced value (`KeyboardEvent.key`).',
      fields: { down: bool, code: str(32), key: str(32), modifiers, repeat: bool },
    }),
    textInput: message({
      tag: 0x02,
      dir: 'c2s',
      requires: 'input',
      doc: 'Committed text the keyboard cannot express key by key (IME composition, emoji, dead-key results).',
      fields: { text: str(4096) },
    }),
    pointerMove: message({
      tag: 0x03,
      dir: 'c2s',
      requires: 'input',
      doc: 'The pointer moved to (x, y).',
      fields: { x: u16, y: u16 },
    }),
    pointerButton: message({
      tag: 0x04,
      dir: 'c2s',
      requires: 'input',
      doc: 'A pointer button went down or up at (x, y).',
      fields: { button: enumOf(POINTER_BUTTONS), down: bool, x: u16, y: u16, modifiers },
    }),
    wheel: message({
      tag: 0x05,
      dir: 'c2s',
      requires: 'input',
      doc: 'Wheel scroll at (x, y) by (deltaX, deltaY) pixels.',
      fields: { x: u16, y: u16, deltaX: i16, deltaY: i16, modifiers },
    }),
    inputReset: message({
      tag: 0x06,
      dir: 'c2s',
      requires: 'input',
      doc: 'Release every key and button this client holds (sent when the client loses focus).',
      fields: {},
    }),
  },
});

export const cursorChannel = channel({
  id: 0x03,
  name: 'cursor',
  doc: 'The remote cursor, drawn locally by the client.',
  messages: {
    cursorShape: message({
      tag: 0x01,
      dir: 's2c',
      doc: 'A cursor image (RGBA, non-premultiplied) identified by `serial`; clients cache shapes by serial.',
      fields: {
        serial: u32,
        width: u16,
        height: u16,
        hotX: u16,
        hotY: u16,
        rgba: bytes(MAX_CURSOR_SIZE * MAX_CURSOR_SIZE * 4),
      },
      validate: (v) => {
        if (v.width > MAX_CURSOR_SIZE || v.height > MAX_CURSOR_SIZE) return 'cursor too large';
        if (v.rgba.byteLength !== v.width * v.height * 4) return 'rgba must be width × height × 4';
        if (v.hotX > v.width || v.hotY > v.height) return 'hotspot outside the image';
        return undefined;
      },
    }),
    cursorCached: message({
      tag: 0x02,
      dir: 's2c',
      doc: 'Switch to a cursor shape the client already received.',
      fields: { serial: u32 },
    }),
    cursorPosition: message({
      tag: 0x03,
      dir: 's2c',
      doc: 'The remote cursor position (moved by another participant or by the page).',
      fields: { x: u16, y: u16, visible: bool },
    }),
  },
});

export const clipboardChannel = channel({
  id: 0x04,
  name: 'clipboard',
  doc: 'Clipboard contents in both directions. Needs the `clipboard` capability.',
  messages: {
    clipboardText: message({
      tag: 0x01,
      dir: 'both',
      requires: 'clipboard',
      doc: 'Plain text clipboard contents.',
      fields: { text: str(MAX_CLIPBOARD_BYTES) },
    }),
    clipboardHtml: message({
      tag: 0x02,
      dir: 'both',
      requires: 'clipboard',
      doc: 'HTML clipboard contents with its plain-text alternative.',
      fields: { html: str(MAX_CLIPBOARD_BYTES), text: str(MAX_CLIPBOARD_BYTES) },
    }),
    clipboardImage: message({
      tag: 0x03,
      dir: 'both',
      requires: 'clipboard',
      doc: 'An image on the clipboard, PNG encoded.',
      fields: { png: bytes(MAX_CLIPBOARD_IMAGE_BYTES) },
    }),
  },
});
