// Signed object-store URLs that a page fetched through its own API: which hosts count, how the URL is
// shown (query redacted), and the per-session collection of candidates.

import { isRecord } from '../protocol/input.ts';

/** Object stores whose pre-signed URLs are recognised without configuration. */
const RECOGNISED_HOSTS = [
  /(^|\.)s3([.-][a-z0-9-]+)*\.amazonaws\.com$/,
  /^storage\.googleapis\.com$/,
  /^storage\.cloud\.google\.com$/,
  /\.cloudfront\.net$/,
  /\.blob\.core\.windows\.net$/,
  /\.r2\.cloudflarestorage\.com$/,
];

export function isRecognisedHost(host: string): boolean {
  const h = host.toLowerCase();
  return RECOGNISED_HOSTS.some((pattern) => pattern.test(h));
}

/** Recognised, or equal to / a subdomain of one of `extra`. */
export function hostAllowed(host: string, extra: readonly string[]): boolean {
  const h = host.toLowerCase();
  if (isRecognisedHost(h)) return true;
  return extra.some((entry) => {
    const e = entry.trim().toLowerCase();
    return e !== '' && (h === e || h.endsWith(`.${e}`));
  });
}

/** `origin + path`, with any query replaced by `<redacted>`. */
export function redactSignedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? '?<redacted>' : ''}`;
  } catch {
    return '<invalid url>';
  }
}

export interface SignedCandidate {
  url: string;
  host: string;
  field: string | null;
  api_url: string;
  page_url: string;
  at: number;
}

const MAX_PENDING = 200;

/** Candidates reported by one session's pages; verbs subscribe, slice end drains diagnostics. */
export class SignedUrlTracker {
  readonly #pending: SignedCandidate[] = [];
  readonly #listeners = new Set<(candidate: SignedCandidate) => void>();
  /** URLs already reported as diagnostics or captured, process-wide (shared between sessions). */
  readonly #seen: Set<string>;

  constructor(seen: Set<string>) {
    this.#seen = seen;
  }

  receive(payload: unknown): void {
    if (!isRecord(payload) || !Array.isArray(payload.candidates)) return;
    const apiUrl = String(payload.api_url ?? '');
    const pageUrl = String(payload.page_url ?? '');
    for (const item of payload.candidates) {
      if (!isRecord(item) || typeof item.url !== 'string') continue;
      let host: string;
      try {
        host = new URL(item.url).hostname;
      } catch {
        continue;
      }
      const candidate: SignedCandidate = {
        url: item.url,
        host,
        field: typeof item.field === 'string' ? item.field : null,
        api_url: apiUrl,
        page_url: pageUrl,
        at: Date.now(),
      };
      this.#pending.push(candidate);
      if (this.#pending.length > MAX_PENDING) this.#pending.shift();
      for (const listener of this.#listeners) listener(candidate);
    }
  }

  subscribe(listener: (candidate: SignedCandidate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  markCaptured(url: string): void {
    this.#seen.add(url);
  }

  /** Recognised-host candidates nobody captured or reported yet; clears the pending list. */
  drainUncaptured(): SignedCandidate[] {
    const out: SignedCandidate[] = [];
    for (const candidate of this.#pending.splice(0)) {
      if (!isRecognisedHost(candidate.host) || this.#seen.has(candidate.url)) continue;
      this.#seen.add(candidate.url);
      out.push(candidate);
    }
    return out;
  }
}
