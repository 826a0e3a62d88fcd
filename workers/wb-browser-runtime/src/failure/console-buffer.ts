// Console tail kept per session page (spans slices): the last 50 console messages and page errors.

import type { Page } from 'playwright-core';
import type { ConsoleEntry } from '../protocol/frames.ts';

export const CONSOLE_TAIL_SIZE = 50;
export const CONSOLE_TEXT_LIMIT = 512;

export class ConsoleBuffer {
  readonly #entries: ConsoleEntry[] = [];
  readonly #attached = new WeakSet<Page>();

  attach(page: Page): void {
    if (this.#attached.has(page)) return;
    this.#attached.add(page);
    page.on('console', (message) => this.push(message.type(), message.text()));
    page.on('pageerror', (error) => this.push('pageerror', error.message));
  }

  push(type: string, text: string): void {
    this.#entries.push({ type, text: text.slice(0, CONSOLE_TEXT_LIMIT), at: Date.now() });
    if (this.#entries.length > CONSOLE_TAIL_SIZE) this.#entries.shift();
  }

  tail(): ConsoleEntry[] {
    return this.#entries.map((entry) => ({ ...entry }));
  }
}
