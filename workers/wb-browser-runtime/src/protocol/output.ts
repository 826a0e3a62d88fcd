// stdout: one JSON frame per line, plus the few plain-text lines the protocol allows (eval/extract
// results). Every byte written passes through the redactor first.

import type { Writable } from 'node:stream';
import type { Redactor } from '../substitution/redactor.ts';
import type { Frame } from './frames.ts';

export class Output {
  readonly #stream: Writable;
  readonly #redactor: Redactor;
  #broken = false;
  #onBroken: (() => void) | undefined;

  constructor(stream: Writable, redactor: Redactor) {
    this.#stream = stream;
    this.#redactor = redactor;
    stream.on('error', () => {
      // EPIPE: the reader (wb) is gone. Stop writing and let the runtime shut down.
      if (this.#broken) return;
      this.#broken = true;
      this.#onBroken?.();
    });
  }

  /** Called once when stdout can no longer be written (reader went away). */
  onBroken(handler: () => void): void {
    this.#onBroken = handler;
  }

  frame(frame: Frame): void {
    const { type, ...rest } = frame;
    this.#write(JSON.stringify({ type, ...this.#redactor.scrubDeep(rest) }));
  }

  /** A non-frame stdout line (wb shows it as the block's output). */
  text(text: string): void {
    this.#write(this.#redactor.scrub(text));
  }

  /** Resolves once everything written so far has been handed to the OS. */
  flush(): Promise<void> {
    if (this.#broken) return Promise.resolve();
    return new Promise((resolve) => {
      this.#stream.write('', () => resolve());
    });
  }

  #write(line: string): void {
    if (this.#broken) return;
    this.#stream.write(`${line}\n`);
  }
}
