// Process-wide registry of substituted values. Everything that leaves the process on stdout (frames,
// eval/extract output) and on stderr passes through `scrub`, so a value that came from `{{ env.X }}`
// or `{{ artifacts.X }}` never crosses the stdio boundary, whichever slice it was substituted in.

export const REDACTED = '«***»';
/** Values shorter than this are not treated as secrets (they would mangle ordinary text). */
export const MIN_SECRET_LENGTH = 3;

export class Redactor {
  #secrets = new Set<string>();
  #ordered: string[] = [];

  add(value: string): void {
    if (value.length < MIN_SECRET_LENGTH || this.#secrets.has(value)) return;
    this.#secrets.add(value);
    // Longest first, so a secret that contains another one is replaced whole.
    this.#ordered = [...this.#secrets].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.#secrets.size;
  }

  scrub(text: string): string {
    if (this.#ordered.length === 0 || text.length < MIN_SECRET_LENGTH) return text;
    let out = text;
    for (const secret of this.#ordered) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  /**
   * Deep copy of `value` with every string (and object key) scrubbed. With `numbers`, a number whose
   * decimal form contains a secret becomes the redaction marker (for user data such as eval results).
   */
  scrubDeep<T>(value: T, options: { numbers?: boolean } = {}): T {
    if (this.#ordered.length === 0) return value;
    return this.#walk(value, options.numbers ?? false, 0) as T;
  }

  #walk(value: unknown, numbers: boolean, depth: number): unknown {
    if (typeof value === 'string') return this.scrub(value);
    if (typeof value === 'number') {
      return numbers && this.scrub(String(value)) !== String(value) ? REDACTED : value;
    }
    if (value === null || typeof value !== 'object' || depth > 64) return value;
    if (Array.isArray(value)) return value.map((item) => this.#walk(item, numbers, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[this.scrub(key)] = this.#walk(item, numbers, depth + 1);
    }
    return out;
  }
}

/** The reference's `redact`: how `fill` echoes a value without revealing it. */
export function redactValue(value: unknown): string {
  if (typeof value !== 'string') return '';
  if (value.length <= 4) return '***';
  return `${value.slice(0, 2)}***`;
}
