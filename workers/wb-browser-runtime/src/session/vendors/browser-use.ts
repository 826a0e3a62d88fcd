// browser-use: REST v3. Create a browser → `{id, cdpUrl, liveUrl}`, release with `{action: "stop"}`.

import type { RuntimeConfig } from '../../config.ts';
import { CodedError } from '../../failure/codes.ts';
import type { Logger } from '../../protocol/log.ts';
import { allocationError, expectJson, retryableFetch } from './http.ts';
import type { Vendor } from './types.ts';

export function createBrowserUseVendor(
  config: RuntimeConfig['browserUse'],
  logger: Logger,
): Vendor {
  const headers = () => ({
    'X-Browser-Use-API-Key': config.apiKey ?? '',
    'Content-Type': 'application/json',
  });

  return {
    name: 'browser-use',
    async allocate({ profile }) {
      if (!config.apiKey) throw new Error('browser-use: BROWSER_USE_API_KEY must be set');
      const body: Record<string, unknown> = {};
      const profileId = profile ?? config.profileId;
      if (profileId) body.profileId = profileId;
      if (config.proxyCountry !== undefined) body.proxyCountryCode = config.proxyCountry;
      if (config.timeoutMin !== null) body.timeout = config.timeoutMin;
      const what = 'browser-use: create browser';
      try {
        const response = await retryableFetch(
          `${config.apiUrl}/browsers`,
          { method: 'POST', headers: headers(), body: JSON.stringify(body) },
          { label: what, logger },
        );
        const created = await expectJson(response, what);
        if (typeof created.cdpUrl !== 'string' || created.cdpUrl === '') {
          throw new CodedError('SESSION_ALLOCATE_FAILED', `${what}: response has no cdpUrl`);
        }
        return {
          sessionId: String(created.id ?? ''),
          cdpUrl: created.cdpUrl,
          liveUrl: typeof created.liveUrl === 'string' ? created.liveUrl : null,
        };
      } catch (error) {
        throw allocationError(error, what);
      }
    },
    async getLiveUrl(allocation) {
      return allocation.liveUrl ?? null;
    },
    async reconnect(state) {
      return state.cdpUrl
        ? { sessionId: state.sid, cdpUrl: state.cdpUrl, liveUrl: state.liveUrl }
        : null;
    },
    async release({ sessionId }) {
      try {
        const response = await retryableFetch(
          `${config.apiUrl}/browsers/${encodeURIComponent(sessionId)}`,
          { method: 'PATCH', headers: headers(), body: JSON.stringify({ action: 'stop' }) },
          { label: 'browser-use: stop', logger },
        );
        if (!response.ok) logger.warn(`browser-use: stop ${sessionId}: HTTP ${response.status}`);
        await response.body?.cancel();
      } catch (error) {
        logger.warn(`browser-use: stop ${sessionId}: ${(error as Error).message}`);
      }
    },
  };
}
