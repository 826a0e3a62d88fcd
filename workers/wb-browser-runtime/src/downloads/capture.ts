// The `download` verb's capture: click, then race the capture sources; first success wins.

import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { RuntimeConfig } from '../config.ts';
import type { Emit } from '../protocol/frames.ts';
import type { Session } from '../session/session.ts';
import { armBlobHook, BLOB_DISARM } from './page-scripts.ts';
import { CaptureLock, DecisiveError, firstSuccess } from './race.ts';
import { downloadSavedFrame, type SavedArtifact } from './save.ts';
import {
  blobSource,
  type Captured,
  playwrightSource,
  SignedFetchError,
  type SignedOption,
  type SourceEnv,
  signedSource,
} from './sources.ts';

export interface CaptureRequest {
  selector: string;
  timeoutMs: number;
  explicitPath: string | undefined;
  signed: SignedOption;
  /** Performs the click (with the verb's text fallback). */
  click: () => Promise<unknown>;
}

export interface CaptureContext {
  page: Page;
  session: Session;
  verbIndex: number;
  dir: string;
  config: RuntimeConfig;
  emit: Emit;
}

type Outcome = { captured: Captured } | { failed: unknown } | { clickFailed: unknown };

export async function captureDownload(
  request: CaptureRequest,
  ctx: CaptureContext,
): Promise<SavedArtifact> {
  const { page, session } = ctx;
  const claim = session.downloads.claim();
  const env: SourceEnv = {
    ...ctx,
    lock: new CaptureLock(),
    timeoutMs: request.timeoutMs,
    explicitPath: request.explicitPath,
    blobToken: randomUUID(),
    cleanups: [],
  };
  const hooks = session.hooks.ready;
  if (hooks) await page.evaluate(armBlobHook(env.blobToken)).catch(() => undefined);
  const sources = [playwrightSource(env, claim.first)];
  if (hooks) sources.push(blobSource(env));
  if (hooks && request.signed.enabled) sources.push(signedSource(env, request.signed));
  const clicking = request.click();
  let outcome: Outcome;
  try {
    outcome = await Promise.race<Outcome>([
      firstSuccess(sources).then(
        (captured) => ({ captured }),
        (failed: unknown) => ({ failed }),
      ),
      clicking.then(
        () => new Promise<Outcome>(() => {}),
        (clickFailed: unknown) => ({ clickFailed }),
      ),
    ]);
  } finally {
    claim.settle();
    claim.release();
    for (const cleanup of env.cleanups) cleanup();
    if (hooks) page.evaluate(BLOB_DISARM).catch(() => undefined);
  }
  if ('clickFailed' in outcome) throw outcome.clickFailed;
  // The click result takes precedence over the capture (as in the reference).
  await clicking;
  if ('captured' in outcome) {
    ctx.emit(downloadSavedFrame(outcome.captured.saved, outcome.captured.provenance));
    return outcome.captured.saved;
  }
  throw noCapture(outcome.failed, request, ctx);
}

function noCapture(failure: unknown, request: CaptureRequest, ctx: CaptureContext): Error {
  if (failure instanceof DecisiveError) return failure;
  const reasons = failure instanceof AggregateError ? failure.errors : [failure];
  const signed = reasons.find((reason) => reason instanceof SignedFetchError);
  if (signed) return new Error(`download: ${(signed as Error).message}`);
  const text = reasons
    .filter((reason) => reason !== undefined)
    .map((reason) => (reason instanceof Error ? reason.message : String(reason)))
    .join('; ');
  const pageUrl = ctx.page.isClosed() ? null : ctx.page.url();
  ctx.emit({
    type: 'slice.download_failed',
    verb: 'download',
    verb_index: ctx.verbIndex,
    selector: request.selector,
    timeout_ms: request.timeoutMs,
    page_url: pageUrl,
    reason: text,
  });
  return new Error(
    `download: no file captured within ${request.timeoutMs}ms after clicking ${request.selector} (page=${pageUrl}). ${text}`,
  );
}
