// One slice: ensure the session, run its verbs in order, end with exactly one terminal frame.

import { redactSignedUrl } from '../downloads/signed-url.ts';
import { classifyError, errorMessage } from '../failure/codes.ts';
import { captureFailureScreenshot } from '../failure/diagnostics.ts';
import type { Emit } from '../protocol/frames.ts';
import type { SliceMessage } from '../protocol/input.ts';
import type { Session } from '../session/session.ts';
import { expandDeep, type SubstitutionContext } from '../substitution/expand.ts';
import { findVerb, verbArgs, verbName } from '../verbs/registry.ts';
import { isPause, type SliceState, type VerbArgs, type VerbOutcome } from '../verbs/types.ts';
import type { Services } from './services.ts';

const HINT =
  'the page fetched a signed download URL that no `download` verb captured; wrap the click that triggers it in a `download` verb (add `signed_url: {hosts: [...]}` for hosts that are not a known object store)';

export async function runSlice(message: SliceMessage, services: Services): Promise<void> {
  const { config, sessions } = services;
  const emit: Emit = (frame) => services.output.frame(frame);
  const deadline = Date.now() + config.sliceDeadlineMs; // session start counts against the slice
  const restoreState = message.restore?.state ?? null;

  let session: Session;
  try {
    session = await sessions.ensure(
      message.session,
      { profile: message.profile, restore: restoreState?.session },
      emit,
    );
  } catch (error) {
    emit({
      type: 'slice.failed',
      code: classifyError(error, 'session'),
      error: `session start failed: ${errorMessage(error)}`,
    });
    return;
  }

  const state: SliceState = { lastResult: undefined, blockIndex: message.block_index };
  const substitution: SubstitutionContext = {
    env: services.env,
    artifactsDir: config.artifactsDir,
    logger: services.logger,
    redactor: services.redactor,
    artifactCache: new Map(),
  };
  const verbs = message.verbs;
  const resumeAt = typeof restoreState?.verb_index === 'number' ? restoreState.verb_index + 1 : 0;
  let lastVerb: { index: number; name: string } | null = null;

  for (let index = Math.max(0, resumeAt); index < verbs.length; index++) {
    if (Date.now() >= deadline) {
      emit({
        type: 'slice.failed',
        code: 'SLICE_TIMEOUT',
        error: `slice exceeded deadline (${config.sliceDeadlineMs}ms); aborted before verb index ${index} of ${verbs.length}`,
      });
      return;
    }
    const { name, raw } = verbName(verbs[index]);
    lastVerb = { index, name };
    session.activity.verbIndex = index;
    session.activity.verbName = name;
    const started = performance.now();
    let outcome: VerbOutcome;
    try {
      const verb = findVerb(name);
      if (!verb) throw new Error(`unsupported verb: ${name}`);
      const args = expandDeep(verbArgs(verb, raw), substitution) as VerbArgs;
      outcome = await verb.run(args, {
        name,
        index,
        page: await session.usablePage(),
        session,
        slice: state,
        config,
        env: services.env,
        logger: services.logger,
        redactor: services.redactor,
        output: services.output,
        emit,
      });
    } catch (error) {
      await reportFailure(error, { name, index, started, session, services, emit });
      return;
    }
    const duration_ms = Math.round(performance.now() - started);
    if (isPause(outcome)) {
      emit({ type: 'slice.paused', ...outcome.pause });
      return;
    }
    emit({ type: 'verb.complete', verb: name, verb_index: index, summary: outcome, duration_ms });
  }

  await session.settle();
  reportUncapturedSignedUrls(session, lastVerb, emit);
  emit({ type: 'slice.complete' });
}

interface FailedVerb {
  name: string;
  index: number;
  started: number;
  session: Session;
  services: Services;
  emit: Emit;
}

/** `verb.failed` (with screenshot and console tail), then the slice's `slice.failed`. */
async function reportFailure(error: unknown, verb: FailedVerb): Promise<void> {
  const { name, index, session, services, emit } = verb;
  const duration_ms = Math.round(performance.now() - verb.started);
  const code = classifyError(error, name);
  const text = errorMessage(error);
  const screenshot_path = await captureFailureScreenshot(
    session.page,
    services.config.artifactsDir,
    index,
    services.logger,
  );
  emit({
    type: 'verb.failed',
    verb: name,
    verb_index: index,
    code,
    error: text,
    duration_ms,
    screenshot_path,
    console_tail: session.console.tail(),
  });
  emit({ type: 'slice.failed', code, error: `verb ${name} (index ${index}): ${text}` });
}

function reportUncapturedSignedUrls(
  session: Session,
  lastVerb: { index: number; name: string } | null,
  emit: Emit,
): void {
  for (const candidate of session.signed.drainUncaptured()) {
    emit({
      type: 'slice.download_skipped',
      reason: 'signed_url_not_captured',
      capture: 'signed_url',
      signed_url: redactSignedUrl(candidate.url),
      api_url: candidate.api_url,
      field: candidate.field,
      host: candidate.host,
      page_url: candidate.page_url,
      verb_index: lastVerb?.index ?? null,
      verb_name: lastVerb?.name ?? null,
      hint: HINT,
      ts: new Date().toISOString(),
    });
  }
}
