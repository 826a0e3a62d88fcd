/**
 * Runs a capture at most once per slot. A request after an idle period runs at once (a keystroke
 * shows up without waiting a slot); requests during a slot or a running capture coalesce into one
 * run when the slot opens, which grabs the screen as it is then, so a burst never queues stale
 * frames.
 */
export class FramePacer {
  readonly #slotMs: number;
  readonly #run: () => Promise<void>;
  #lastStart = Number.NEGATIVE_INFINITY;
  #running = false;
  #pending = false;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #closed = false;

  constructor(slotMs: number, run: () => Promise<void>) {
    this.#slotMs = slotMs;
    this.#run = run;
  }

  /** Asks for a capture (damage arrived). */
  request(): void {
    if (this.#closed) return;
    this.#pending = true;
    this.#schedule();
  }

  /** Stops scheduling; a running capture finishes. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }

  #schedule(): void {
    if (this.#running || this.#timer || this.#immediate || !this.#pending || this.#closed) return;
    const wait = this.#lastStart + this.#slotMs - performance.now();
    // setImmediate lets damage already read from the socket join this capture
    if (wait <= 0) this.#immediate = setImmediate(() => this.#fire());
    else this.#timer = setTimeout(() => this.#fire(), Math.ceil(wait));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#immediate = undefined;
    if (this.#closed || !this.#pending) return;
    this.#pending = false;
    this.#running = true;
    this.#lastStart = performance.now();
    this.#run()
      .catch(() => undefined)
      .finally(() => {
        this.#running = false;
        this.#schedule();
      });
  }
}
