/**
 * Keeps resolved secrets out of everything a run reports: each secret the worker resolves is
 * registered, and every log line, event, error, output and input request on its way to the edge
 * passes through `redact`, which replaces any occurrence (as is, JSON-escaped, URL-encoded or
 * base64) by `[redacted:<binding name>]`.
 */
const MIN_LENGTH = 4;

export class Redactor {
  private readonly needles = new Map<string, string>();

  /** Registers every string inside `payload` (of at least 4 characters) under the binding's name. */
  add(name: string, payload: unknown): void {
    const walk = (v: unknown): void => {
      if (typeof v === 'string') this.addString(name, v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(payload);
  }

  addString(name: string, secret: string): void {
    if (secret.length < MIN_LENGTH) return;
    const forms = [
      secret,
      JSON.stringify(secret).slice(1, -1),
      encodeURIComponent(secret),
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('base64url'),
    ];
    for (const form of forms) if (form.length >= MIN_LENGTH) this.needles.set(form, name);
  }

  get size(): number {
    return this.needles.size;
  }

  redact(text: string): string {
    if (this.needles.size === 0 || !text) return text;
    let out = text;
    // Longest first: a secret that contains another is replaced whole.
    for (const [needle, name] of [...this.needles].sort((a, b) => b[0].length - a[0].length))
      if (out.includes(needle)) out = out.split(needle).join(`[redacted:${name}]`);
    return out;
  }

  /**
   * File bytes with every secret removed: UTF-8 text is redacted like a log line; other bytes
   * have each occurrence overwritten with `*` of the same length (the file keeps its layout).
   * Answers the same buffer when nothing was found.
   */
  redactBytes(bytes: Buffer): Buffer {
    if (this.needles.size === 0) return bytes;
    let text: string | null = null;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // binary
    }
    if (text !== null) {
      const out = this.redact(text);
      return out === text ? bytes : Buffer.from(out);
    }
    let copy: Buffer | null = null;
    for (const needle of this.needles.keys()) {
      const n = Buffer.from(needle);
      for (let at = (copy ?? bytes).indexOf(n); at >= 0; at = (copy ?? bytes).indexOf(n, at + 1)) {
        copy ??= Buffer.from(bytes);
        copy.fill(0x2a, at, at + n.length);
      }
    }
    return copy ?? bytes;
  }

  /** A JSON value with every string (keys too) redacted. */
  redactDeep<T>(value: T): T {
    if (this.needles.size === 0) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.redact(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object')
        return Object.fromEntries(
          Object.entries(v).map(([k, inner]) => [this.redact(k), walk(inner)]),
        );
      return v;
    };
    return walk(value) as T;
  }
}
