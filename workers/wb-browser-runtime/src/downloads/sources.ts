// The three capture sources raced by the `download` verb: Playwright download events, in-page
// blob/data-URL clicks, and signed object-store URLs fetched by the runtime.

import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Download, Page } from 'playwright-core';
import { extensionAllowed, sanitizeName } from '../artifacts/paths.ts';
import { tempPathFor } from '../artifacts/write.ts';
import type { RuntimeConfig } from '../config.ts';
import type { Emit } from '../protocol/frames.ts';
import { isRecord } from '../protocol/input.ts';
import type { Session } from '../session/session.ts';
import { DownloadFetchError, guardedDownload } from './guarded-fetch.ts';
import { displayUrl } from './passive.ts';
import { type CaptureLock, DecisiveError } from './race.ts';
import { type SavedArtifact, saveArtifact } from './save.ts';
import { saveDownload } from './save-download.ts';
import { hostAllowed, redactSignedUrl, type SignedCandidate } from './signed-url.ts';

export interface Captured {
  saved: SavedArtifact;
  provenance: Record<string, unknown>;
}

export interface SourceEnv {
  page: Page;
  session: Session;
  verbIndex: number;
  dir: string;
  config: RuntimeConfig;
  emit: Emit;
  lock: CaptureLock;
  timeoutMs: number;
  explicitPath: string | undefined;
  /** Identifies this verb's blob captures (a late one from an earlier verb is ignored). */
  blobToken: string;
  /** Timers and unsubscribers to clear when the race is over. */
  cleanups: (() => void)[];
}

/** Never settles: a source that lost the lock stays out of the race. */
const lost = <T>() => new Promise<T>(() => {});

function chooseName(env: SourceEnv, suggested: string): string {
  const name = env.explicitPath || sanitizeName(suggested, 'download.bin');
  if (!extensionAllowed(name, env.config.downloadExtensions)) {
    throw new DecisiveError(`download: file "${name}" rejected by WB_BROWSER_DOWNLOAD_EXTENSIONS`);
  }
  return name;
}

function expire(env: SourceEnv, reject: (error: Error) => void, message: string): void {
  const timer = setTimeout(() => reject(new Error(message)), env.timeoutMs);
  env.cleanups.push(() => clearTimeout(timer));
}

/** A Playwright `download` event on any page of the session. */
export async function playwrightSource(
  env: SourceEnv,
  first: Promise<Download>,
): Promise<Captured> {
  const since = Date.now();
  const download = await new Promise<Download>((resolve, reject) => {
    first.then(resolve);
    expire(env, reject, `no download event within ${env.timeoutMs}ms`);
  });
  if (!env.lock.take()) {
    await download.cancel().catch(() => {});
    return lost();
  }
  const suggested = download.suggestedFilename();
  let name: string;
  try {
    name = chooseName(env, suggested);
  } catch (error) {
    await download.cancel().catch(() => {});
    throw error;
  }
  const saved = await saveArtifact(env.dir, name, 'download', (tmp) =>
    saveDownload(download, tmp, {
      vendor: env.session.vendor,
      allocation: env.session.allocation,
      since,
      timeoutMs: env.timeoutMs,
    }),
  );
  return {
    saved,
    provenance: {
      url: displayUrl(download.url()),
      suggested_filename: name,
      page_url: env.page.url(),
      verb_index: env.verbIndex,
      verb_name: 'download',
      ts: new Date().toISOString(),
    },
  };
}

/** A programmatic click on `<a download href="blob:|data:">` reported by the in-page hook. */
export function blobSource(env: SourceEnv): Promise<Captured> {
  return new Promise((resolve, reject) => {
    expire(env, reject, `no blob/data download within ${env.timeoutMs}ms`);
    const off = env.session.hooks.on('blob', (_page, payload) => {
      if (!isRecord(payload) || payload.token !== env.blobToken) return;
      if (typeof payload.error === 'string')
        return reject(new Error(`blob read failed: ${payload.error}`));
      if (typeof payload.data !== 'string' || !env.lock.take()) return;
      const data = payload.data;
      const mime = typeof payload.mime_type === 'string' ? payload.mime_type : null;
      const pageUrl = typeof payload.page_url === 'string' ? payload.page_url : env.page.url();
      (async () => {
        const name = chooseName(env, typeof payload.name === 'string' ? payload.name : '');
        const saved = await saveArtifact(env.dir, name, 'download', (tmp) =>
          writeFile(tmp, Buffer.from(data, 'base64')),
        );
        return {
          saved,
          provenance: {
            url: null,
            suggested_filename: name,
            page_url: pageUrl,
            verb_index: env.verbIndex,
            verb_name: 'download',
            mime_type: mime,
            capture: 'blob',
            ts: new Date().toISOString(),
          },
        };
      })().then(resolve, reject);
    });
    env.cleanups.push(off);
  });
}

export interface SignedOption {
  enabled: boolean;
  hosts: string[];
  jsonFields: string[] | null;
}

/** `signed_url`: omitted/"auto"/true → on; false or `{enabled:false}` → off; object adds hosts/fields. */
export function parseSignedOption(raw: unknown): SignedOption {
  const on: SignedOption = { enabled: true, hosts: [], jsonFields: null };
  if (raw === false) return { ...on, enabled: false };
  if (!isRecord(raw)) return on;
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  const fields = strings(raw.json_fields);
  return {
    enabled: raw.enabled !== false,
    hosts: strings(raw.hosts),
    jsonFields: fields.length > 0 ? fields : null,
  };
}

/** A signed URL seen in a same-origin API response, fetched behind the SSRF guard. */
export function signedSource(env: SourceEnv, option: SignedOption): Promise<Captured> {
  return new Promise((resolve, reject) => {
    let busy = false;
    const timer = setTimeout(
      () => reject(new Error(`no signed URL on an allowed host within ${env.timeoutMs}ms`)),
      env.timeoutMs,
    );
    env.cleanups.push(() => clearTimeout(timer));
    const consider = (candidate: SignedCandidate) => {
      if (busy || env.lock.taken || !hostAllowed(candidate.host, option.hosts)) return;
      if (option.jsonFields && !(candidate.field && option.jsonFields.includes(candidate.field)))
        return;
      busy = true;
      clearTimeout(timer);
      fetchSigned(env, candidate, option.hosts).then(resolve, reject);
    };
    env.cleanups.push(env.session.signed.subscribe(consider));
  });
}

async function fetchSigned(
  env: SourceEnv,
  candidate: SignedCandidate,
  hosts: string[],
): Promise<Captured> {
  const tmp = tempPathFor(join(env.dir, 'signed-url-download'));
  const shown = redactSignedUrl(candidate.url);
  try {
    const result = await guardedDownload(candidate.url, tmp, {
      // every redirect hop must stay on a recognised or explicitly allowed host
      allowHost: (host) => hostAllowed(host, hosts),
      allowPrivate: env.config.allowPrivateDownloadIp,
      maxBytes: env.config.maxDownloadBytes,
      timeoutMs: env.timeoutMs,
    });
    if (!env.lock.take()) {
      await rm(tmp, { force: true });
      return lost();
    }
    env.session.signed.markCaptured(candidate.url);
    const base = decodeURIComponent(new URL(result.finalUrl).pathname.split('/').pop() ?? '');
    const name = chooseName(env, base);
    const saved = await saveArtifact(env.dir, name, 'download', (target) => rename(tmp, target));
    return {
      saved,
      provenance: {
        url: null,
        signed_url: shown,
        api_url: candidate.api_url,
        field: candidate.field,
        suggested_filename: name,
        page_url: candidate.page_url,
        verb_index: env.verbIndex,
        verb_name: 'download',
        capture: 'signed_url',
        content_type: result.contentType,
        content_disposition: result.contentDisposition,
        ts: new Date().toISOString(),
      },
    };
  } catch (error) {
    await rm(tmp, { force: true });
    if (!(error instanceof DownloadFetchError)) throw error;
    env.emit({
      type: 'slice.download_failed',
      verb: 'download',
      verb_index: env.verbIndex,
      capture: 'signed_url',
      api_url: candidate.api_url,
      signed_url: shown,
      page_url: candidate.page_url,
      reason: error.reason,
      ...error.details,
    });
    throw new SignedFetchError(`signed URL ${shown} could not be fetched: ${error.message}`);
  }
}

/** A signed-URL fetch that failed after a candidate matched (reported with its own frame). */
export class SignedFetchError extends Error {}
