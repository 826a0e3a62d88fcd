import { fitUtf8, type Message } from '@browserpane/protocol';
import { modifierMask } from './modifiers.ts';

/**
 * Keyboard capture on a focusable text area laid over the picture (a text area, so IME
 * composition works): physical code + key + modifiers per key, committed composition text as
 * `textInput`. Keys are kept from the local page; focus loss releases everything remotely.
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
  const onCompositionEnd = (e: CompositionEvent) => {
    if (enabled() && e.data) send({ type: 'textInput', text: fitUtf8(e.data, 4096) });
    target.value = '';
  };
  const onInput = () => {
    if (!(target as unknown as { isComposing?: boolean }).isComposing) target.value = '';
  };
  const onBlur = () => {
    if (enabled()) send({ type: 'inputReset' });
  };
  target.addEventListener('keydown', onDown);
  target.addEventListener('keyup', onUp);
  target.addEventListener('compositionend', onCompositionEnd);
  target.addEventListener('input', onInput);
  target.addEventListener('blur', onBlur);
  return () => {
    target.removeEventListener('keydown', onDown);
    target.removeEventListener('keyup', onUp);
    target.removeEventListener('compositionend', onCompositionEnd);
    target.removeEventListener('input', onInput);
    target.removeEventListener('blur', onBlur);
  };
}
