// local: Chromium on this machine. One browser process per runtime, launched on first use; each
// session name gets its own isolated BrowserContext (cookies, storage and cache are per session).

import { access, constants } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import type { RuntimeConfig } from '../../config.ts';
import { CodedError } from '../../failure/codes.ts';
import type { Logger } from '../../protocol/log.ts';
import { loadPlaywright } from '../playwright.ts';
import type { Allocation, Vendor } from './types.ts';

const LAUNCH_ARGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export function createLocalVendor(config: RuntimeConfig['local'], logger: Logger): Vendor {
  let browser: Promise<Browser> | null = null;
  let open = 0;

  const launch = async (): Promise<Browser> => {
    const { chromium } = await loadPlaywright();
    try {
      // checked first: a failed Playwright launch leaves its temporary artifacts dir behind
      if (config.executablePath) {
        await access(config.executablePath, constants.X_OK).catch(() => {
          throw new Error(`no executable at ${config.executablePath}`);
        });
      }
      const launched = await chromium.launch({
        headless: config.headless,
        executablePath: config.executablePath,
        channel: config.channel,
        args: LAUNCH_ARGS,
        // The runtime handles these itself (close, release, exit 0); Playwright's own SIGINT
        // handler would exit 130 first. Its exit hook still kills the browser if we crash.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
      launched.on('disconnected', () => {
        browser = null;
      });
      return launched;
    } catch (error) {
      browser = null;
      const message = (error as Error).message.split('\n')[0] ?? String(error);
      throw new CodedError(
        'SESSION_ALLOCATE_FAILED',
        `local browser launch failed: ${message}. Hint: install Chromium (apt-get install chromium) or set WB_BROWSER_LOCAL_EXECUTABLE_PATH / WB_BROWSER_LOCAL_CHANNEL`,
        { cause: error },
      );
    }
  };

  return {
    name: 'local',
    async allocate({ profile, sessionName }) {
      if (profile) logger.info('session', `local: profile ${profile} ignored (${sessionName})`);
      browser ??= launch();
      const context = await (await browser).newContext({ acceptDownloads: true });
      open++;
      const sessionId = `local-${Date.now()}-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`;
      return { sessionId, cdpUrl: null, liveUrl: null, context };
    },
    async getLiveUrl() {
      return null;
    },
    async reconnect() {
      // A local browser dies with the process that launched it.
      return null;
    },
    async release(allocation: Allocation) {
      await allocation.context?.close().catch(() => {});
      open = Math.max(0, open - 1);
      if (open === 0 && browser) {
        const last = browser;
        browser = null;
        await (await last.catch(() => null))?.close().catch(() => {});
      }
    },
  };
}
