import { fitUtf8, type Message } from '@browserpane/protocol';
import { modifierMask } from './modifiers.ts';

/** Largest `textInput` text (protocol field limit, UTF-8 bytes); longer text goes in pieces. */
const TEXT_INPUT_BYTES = 4096;

/**
 * Text the browser inserts without a key press we could send: an emoji picker, dictation, a
 * virtual keyboard, a layout whose characters have no key on the host, `keyboard.insertText`.
 * (`insertFromPaste`/`insertFromDrop` are the clipboard's and the drop zone's.)
 */
const TEXT_INSERTS = new Set(['insertText', 'insertReplacementText']);

/**
 * Keyboard capture on a focusable text area laid over the picture (a text area, so IME
 * composition works): physical code + key + modifiers per key, and as `textInput` the text that
 * arrives without a key — an IME's committed composition, and whatever else inserts text
 * (see {@link TEXT_INSERTS}). Keys are kept from the local page; the text area is emptied after
 * every insertion but never during a composition (that would end it); focus loss releases
 * everything remotely.
 */
export function attachKeyboard(
  target: HTMLTextAreaElement,
  send: (m: Message) => void,
  enabled: () => boolean,
): () => void {
  const key = (down: boolean) => (e: KeyboardEvent) => {
    if (!enabled()) return;
    if (e.isComposing || e.key === 'Process' || e.keyCode === 229) return; // the IME owns it
    e.preventDefault();
    send({
      type: 'keyEvent',
      down,
      code: fitUtf8(e.code || e.key, 32),
      key: fitUtf8(e.key, 32),
      modifiers: modifierMask(e),
      repeat: e.repeat,
    });
  };
  const onDown = key(true);
  const onUp = key(false);
  const sendText = (text: string) => {
    if (!enabled()) return;
    for (const piece of utf8Pieces(text, TEXT_INPUT_BYTES))
      send({ type: 'textInput', text: piece });
  };
  let composing = false;
  const onCompositionStart = () => {
    composing = true;
  };
  const onCompositionEnd = (e: CompositionEvent) => {
    composing = false;
    if (e.data) sendText(e.data);
    target.value = '';
  };
  const onBeforeInput = (e: InputEvent) => {
    // the IME's text is sent once, when it commits (compositionend)
    if (composing || e.isComposing || !TEXT_INSERTS.has(e.inputType) || !e.data) return;
    e.preventDefault();
    sendText(e.data);
  };
  const onInput = (e: Event) => {
    if (!composing && !(e as InputEvent).isComposing) target.value = '';
  };
  const onBlur = () => {
    composing = false;
    if (enabled()) send({ type: 'inputReset' });
  };
  target.addEventListener('keydown', onDown);
  target.addEventListener('keyup', onUp);
  target.addEventListener('compositionstart', onCompositionStart);
  target.addEventListener('compositionend', onCompositionEnd);
  target.addEventListener('beforeinput', onBeforeInput);
  target.addEventListener('input', onInput);
  target.addEventListener('blur', onBlur);
  return () => {
    target.removeEventListener('keydown', onDown);
    target.removeEventListener('keyup', onUp);
    target.removeEventListener('compositionstart', onCompositionStart);
    target.removeEventListener('compositionend', onCompositionEnd);
    target.removeEventListener('beforeinput', onBeforeInput);
    target.removeEventListener('input', onInput);
    target.removeEventListener('blur', onBlur);
  };
}

/** `text` cut into pieces of at most `maxBytes` UTF-8 bytes, never inside a character. */
export function utf8Pieces(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest) {
    const piece = fitUtf8(rest, maxBytes);
    if (!piece) break;
    pieces.push(piece);
    rest = rest.slice(piece.length);
  }
  return pieces;
}
