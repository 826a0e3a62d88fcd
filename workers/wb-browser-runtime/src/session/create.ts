// Creating a session: allocate (or re-attach) → live URL + CDP connect → context/page → instrument.

import type { Browser, BrowserContext } from 'playwright-core';
import type { RuntimeConfig } from '../config.ts';
import { PageHooks } from '../downloads/page-hooks.ts';
import { passiveCapture } from '../downloads/passive.ts';
import { DownloadRouter } from '../downloads/router.ts';
import { SignedUrlTracker } from '../downloads/signed-url.ts';
import { ConsoleBuffer } from '../failure/console-buffer.ts';
import type { Emit, SessionTimings } from '../protocol/frames.ts';
import { isRecord } from '../protocol/input.ts';
import type { Logger } from '../protocol/log.ts';
import { loadPlaywright } from './playwright.ts';
import { Session } from './session.ts';
import type { Allocation, PausedSession, Vendor } from './vendors/types.ts';

export interface CreateDeps {
  vendor: Vendor;
  config: RuntimeConfig;
  logger: Logger;
  /** Frames not tied to one slice (passive downloads). */
  emit: Emit;
  /** Signed URLs already reported or captured in this process. */
  seenSignedUrls: Set<string>;
}

export interface CreateRequest {
  profile: string | null;
  /** `restore.state.session` of a resumed slice, unvalidated. */
  restore: unknown;
}

export interface Created {
  session: Session;
  timings: SessionTimings;
  startedAt: string;
}

export async function createSession(
  name: string,
  request: CreateRequest,
  deps: CreateDeps,
): Promise<Created> {
  const { vendor, logger } = deps;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const paused = pausedSession(request.restore, vendor.name);
  let allocation = paused ? await vendor.reconnect(paused) : null;
  const restored = allocation !== null;
  if (paused && !restored)
    logger.info('session', `${name}: cannot re-attach on ${vendor.name}; starting fresh`);
  allocation ??= await vendor.allocate({ profile: request.profile, sessionName: name });
  const t1 = performance.now();

  let browser: Browser | null = null;
  try {
    const liveUrl =
      allocation.liveUrl !== undefined ? allocation.liveUrl : await vendor.getLiveUrl(allocation);
    browser = await connect(allocation);
    const t2 = performance.now();
    const context = await openContext(allocation, browser);
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleBuffer = new ConsoleBuffer();
    consoleBuffer.attach(page);
    context.on('page', (p) => consoleBuffer.attach(p));
    const hooks = await PageHooks.install(context, logger);
    const signed = new SignedUrlTracker(deps.seenSignedUrls);
    hooks.on('signed', (_page, payload) => signed.receive(payload));
    const downloads = new DownloadRouter(context);
    const session = new Session({
      name,
      vendor,
      allocation,
      restored,
      liveUrl,
      browser,
      context,
      page,
      console: consoleBuffer,
      hooks,
      signed,
      downloads,
    });
    installPassiveCapture(session, deps);
    context.on('page', (opened) => session.trackPopup(opened));
    const t3 = performance.now();
    const allocate_ms = Math.round(t1 - t0);
    const connect_ms = Math.round(t2 - t1);
    const page_ready_ms = Math.round(t3 - t2);
    return {
      session,
      startedAt,
      timings: {
        allocate_ms,
        connect_ms,
        page_ready_ms,
        total_ms: allocate_ms + connect_ms + page_ready_ms,
      },
    };
  } catch (error) {
    await browser?.close().catch(() => {});
    if (!restored) await vendor.release(allocation);
    throw error;
  }
}

async function connect(allocation: Allocation): Promise<Browser | null> {
  if (allocation.context || allocation.browser) return null;
  if (!allocation.cdpUrl) throw new Error('vendor returned neither a browser nor a CDP URL');
  const { chromium } = await loadPlaywright();
  return chromium.connectOverCDP(allocation.cdpUrl, { headers: allocation.connectHeaders });
}

async function openContext(
  allocation: Allocation,
  browser: Browser | null,
): Promise<BrowserContext> {
  if (allocation.context) return allocation.context;
  const holder = (browser ?? allocation.browser) as Browser;
  return holder.contexts()[0] ?? (await holder.newContext({ acceptDownloads: true }));
}

function installPassiveCapture(session: Session, deps: CreateDeps): void {
  const dir = deps.config.artifactsDir;
  if (!dir) {
    deps.logger.info(
      'download',
      `${session.name}: passive download capture off ($WB_ARTIFACTS_DIR is not set)`,
    );
    return;
  }
  session.downloads.setPassive(
    passiveCapture({
      artifactsDir: dir,
      extensions: deps.config.downloadExtensions,
      emit: deps.emit,
      logger: deps.logger,
      activity: () => ({ ...session.activity }),
      track: (work) => session.track(work),
      source: { vendor: deps.vendor, allocation: session.allocation },
    }),
  );
}

/** A usable `restore.state.session` for this vendor, or null. */
function pausedSession(raw: unknown, vendor: string): PausedSession | null {
  if (!isRecord(raw) || raw.vendor !== vendor || typeof raw.sid !== 'string') return null;
  return {
    vendor,
    name: typeof raw.name === 'string' ? raw.name : '',
    sid: raw.sid,
    cdpUrl: typeof raw.cdpUrl === 'string' && raw.cdpUrl !== '' ? raw.cdpUrl : null,
    liveUrl: typeof raw.liveUrl === 'string' ? raw.liveUrl : null,
  };
}
