import { flagMask, MODIFIER_NAMES } from '@browserpane/protocol';

/** The protocol modifier mask of a DOM keyboard, mouse or wheel event. */
export function modifierMask(e: KeyboardEvent | MouseEvent): number {
  const held: Array<(typeof MODIFIER_NAMES)[number]> = [];
  if (e.shiftKey) held.push('shift');
  if (e.ctrlKey) held.push('control');
  if (e.altKey) held.push('alt');
  if (e.metaKey) held.push('meta');
  if (e.getModifierState?.('AltGraph')) held.push('altGraph');
  if (e.getModifierState?.('CapsLock')) held.push('capsLock');
  return flagMask(MODIFIER_NAMES, held);
}
