// browserbase: REST v1. Create → `connectUrl` (CDP), debug → live URL, release via REQUEST_RELEASE.

import type { RuntimeConfig } from '../../config.ts';
import type { Logger } from '../../protocol/log.ts';
import { allocationError, expectJson, retryableFetch } from './http.ts';
import type { Vendor } from './types.ts';

export function createBrowserbaseVendor(
  config: RuntimeConfig['browserbase'],
  logger: Logger,
): Vendor {
  const headers = () => ({
    'X-BB-API-Key': config.apiKey ?? '',
    'Content-Type': 'application/json',
  });
  const credentials = () => {
    if (!config.apiKey || !config.projectId) {
      throw new Error('browserbase: BROWSERBASE_API_KEY and BROWSERBASE_PROJECT_ID must be set');
    }
    return config.projectId;
  };

  return {
    name: 'browserbase',
    async allocate({ profile, sessionName }) {
      const projectId = credentials();
      if (profile)
        logger.info('session', `browserbase: profile ${profile} ignored (${sessionName})`);
      const body: Record<string, unknown> = { projectId, keepAlive: false };
      if (config.advancedStealth) body.browserSettings = { advancedStealth: true };
      if (config.proxies) body.proxies = true;
      logger.info(
        'session',
        `browserbase: creating session (advancedStealth=${config.advancedStealth}, proxies=${config.proxies})`,
      );
      const what = 'browserbase: create session';
      try {
        const response = await retryableFetch(
          `${config.apiUrl}/v1/sessions`,
          { method: 'POST', headers: headers(), body: JSON.stringify(body) },
          { label: what, logger },
        );
        const created = await expectJson(response, what);
        if (typeof created.id !== 'string' || typeof created.connectUrl !== 'string') {
          throw new Error('response lacks id/connectUrl');
        }
        return { sessionId: created.id, cdpUrl: created.connectUrl };
      } catch (error) {
        throw allocationError(error, what);
      }
    },
    async getLiveUrl({ sessionId }) {
      try {
        const response = await retryableFetch(
          `${config.apiUrl}/v1/sessions/${encodeURIComponent(sessionId)}/debug`,
          { method: 'GET', headers: headers() },
          { label: 'browserbase: live url', logger },
        );
        const debug = await expectJson(response, 'browserbase: live url');
        return typeof debug.debuggerFullscreenUrl === 'string' ? debug.debuggerFullscreenUrl : null;
      } catch (error) {
        logger.warn(`browserbase: live URL unavailable: ${(error as Error).message}`);
        return null;
      }
    },
    async reconnect(state) {
      return state.cdpUrl
        ? { sessionId: state.sid, cdpUrl: state.cdpUrl, liveUrl: state.liveUrl }
        : null;
    },
    async release({ sessionId }) {
      try {
        const response = await retryableFetch(
          `${config.apiUrl}/v1/sessions/${encodeURIComponent(sessionId)}`,
          {
            method: 'POST',
            headers: headers(),
            body: JSON.stringify({ projectId: config.projectId, status: 'REQUEST_RELEASE' }),
          },
          { label: 'browserbase: release', logger },
        );
        if (!response.ok) logger.warn(`browserbase: release ${sessionId}: HTTP ${response.status}`);
        await response.body?.cancel();
      } catch (error) {
        logger.warn(`browserbase: release ${sessionId}: ${(error as Error).message}`);
      }
    },
  };
}
