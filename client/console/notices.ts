import { h } from './dom.ts';

const SHOWN_MS = 4000;
const MAX_SHOWN = 4;

/**
 * Short messages in the corner of the live view, stacked (newest at the bottom) rather than drawn
 * over each other; the same text twice in a row only restarts its timer.
 */
export class Notices {
  readonly element = h('div.notices', { 'aria-live': 'polite' });

  show(text: string): void {
    const last = this.element.lastElementChild as HTMLElement | null;
    if (last?.textContent === text) {
      this.expire(last);
      return;
    }
    const note = h('div.notice', { text });
    this.element.append(note);
    while (this.element.childElementCount > MAX_SHOWN) this.element.firstElementChild?.remove();
    this.expire(note);
  }

  private expire(note: HTMLElement): void {
    clearTimeout(Number(note.dataset.timer));
    note.dataset.timer = String(setTimeout(() => note.remove(), SHOWN_MS));
  }
}
