/**
 * Which rows of the picture changed since it was last taken, kept in bands of `BAND_ROWS` (a video
 * encoder's macroblock row): the compositor redraws and the encoder's colour conversion redoes only
 * those bands. Typing changes a band or two of a 720-row picture; a scroll changes them all.
 */

/** Rows per band: 16 (one macroblock row; even, as 4:2:0 chroma pairs rows). */
export const BAND_ROWS = 16;

/** A run of changed rows, `[from, to)`, band-aligned (the last band may end at the height). */
export interface RowRange {
  readonly from: number;
  readonly to: number;
}

export class RowDamage {
  private bands = new Uint8Array(0);
  private height = 0;
  private any = false;

  /** A new picture height: everything is changed. */
  reset(height: number): void {
    this.height = height;
    this.bands = new Uint8Array(Math.ceil(height / BAND_ROWS));
    this.all();
  }

  /** Rows `[y, y + h)` changed (clipped to the picture). */
  mark(y: number, h: number): void {
    const from = Math.max(0, Math.floor(y / BAND_ROWS));
    const to = Math.min(this.bands.length, Math.ceil((y + h) / BAND_ROWS));
    for (let b = from; b < to; b++) this.bands[b] = 1;
    if (to > from) this.any = true;
  }

  /** Every row changed. */
  all(): void {
    this.bands.fill(1);
    this.any = this.bands.length > 0;
  }

  get changed(): boolean {
    return this.any;
  }

  /** The changed runs, top to bottom, and a clean slate. */
  take(): RowRange[] {
    const out: RowRange[] = [];
    if (!this.any) return out;
    let start = -1;
    for (let b = 0; b <= this.bands.length; b++) {
      const on = b < this.bands.length && this.bands[b] === 1;
      if (on && start < 0) start = b;
      if (!on && start >= 0) {
        out.push({ from: start * BAND_ROWS, to: Math.min(b * BAND_ROWS, this.height) });
        start = -1;
      }
    }
    this.bands.fill(0);
    this.any = false;
    return out;
  }
}
