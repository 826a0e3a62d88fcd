// browserpane: the workbook runs on a BrowserPane session — a real Chromium on a BrowserPane host
// that people can watch and take over in the console — attached through the host's CDP gateway.

import type { CreateSessionRequest } from '@browserpane/api';
import type { BrowserPaneConfig } from '../../config.ts';
import { CodedError } from '../../failure/codes.ts';
import type { Logger } from '../../protocol/log.ts';
import { BrowserPaneApi, BrowserPaneHttpError } from './browserpane-api.ts';
import { sleep } from './http.ts';
import { fetchSessionFile } from './session-files.ts';
import type { Allocation, Vendor } from './types.ts';

/** Label on sessions this runtime creates: they are stopped at release, reused ones are not. */
export const CREATED_BY = 'wb-browser-runtime';
const RUNNING = new Set(['ready', 'active', 'idle']);
const PEOPLE = new Set(['owner_clients', 'viewer_clients']);

interface Held {
  /** This runtime created the session (stop it at release). */
  created: boolean;
  /** This runtime made itself the automation owner (clear it at release). */
  delegated: boolean;
}

/**
 * - allocate: reuse the session named by the block's `profile_id` (or `BROWSERPANE_SESSION_ID`),
 *   else create one; make sure this principal may drive it (the owner delegates automation to
 *   itself); wait until its browser runs; mint an automation ticket and attach through the CDP
 *   gateway. The ticket travels as `Authorization: Bearer` so no secret ends up in frames.
 * - live URL: the console join link `<console>/?session=<id>`.
 * - reconnect (resume): a fresh ticket for the paused session; never the stored URL's.
 * - release: stop sessions this runtime created (left running when people are connected); give
 *   reused ones back by clearing the automation owner it set.
 * - handOff: `pause_for_human` names the join link; the session stays up while `wb` is suspended
 *   (automation ownership keeps it from idling out).
 */
export function createBrowserPaneVendor(config: BrowserPaneConfig, logger: Logger): Vendor {
  const api = new BrowserPaneApi(config, logger);
  /** Session files already handed to a `download` verb. */
  const taken = new Set<string>();
  const held = new Map<string, Held>();
  let me: string | null = null;

  const check = () => {
    if (!config.apiUrl || !(config.token || (config.clientId && config.clientSecret))) {
      throw new Error(
        'browserpane: BROWSERPANE_API_URL and BROWSERPANE_TOKEN (or BROWSERPANE_CLIENT_ID and BROWSERPANE_CLIENT_SECRET) must be set',
      );
    }
  };
  const joinLink = (id: string) =>
    `${config.consoleUrl ?? config.apiUrl}/?session=${encodeURIComponent(id)}`;
  const principal = async () => {
    me ??= (await api.me()).principal_id;
    return me;
  };

  /** Makes sure this principal may mint automation tickets for the session. */
  const entitle = async (id: string): Promise<Held> => {
    const self = await principal();
    const session = await api.session(id).catch((error: unknown) => {
      if (error instanceof BrowserPaneHttpError && error.status === 404) {
        throw new CodedError(
          'SESSION_ALLOCATE_FAILED',
          `browserpane: session ${id} does not exist or is not shared with ${self}`,
        );
      }
      throw error;
    });
    const created =
      session.labels?.['created-by'] === CREATED_BY && session.owner.principal_id === self;
    const mine = session.owner.principal_id === self;
    if (
      session.automation_owner?.principal_id === self ||
      session.mcp_owner?.principal_id === self
    ) {
      // An owner delegating to itself is this runtime's doing (possibly before a suspend).
      return { created, delegated: mine && session.automation_owner?.principal_id === self };
    }
    if (!mine) {
      throw new CodedError(
        'AUTH_FAILED',
        `browserpane: ${self} may not drive session ${id}; its owner must delegate automation to it`,
      );
    }
    if (session.automation_owner)
      logger.info(
        'session',
        `browserpane: taking automation of ${id} over from ${session.automation_owner.principal_id}`,
      );
    await api.setAutomationOwner(id, self);
    return { created, delegated: true };
  };

  /** Waits until the session's browser runs (restarting a stopped one), then attaches. */
  const attach = async (id: string): Promise<Allocation> => {
    const deadline = Date.now() + config.startTimeoutMs;
    for (let restarted = false; ; ) {
      const status = await api.status(id);
      if (RUNNING.has(status.state) && status.runtime_state === 'running') break;
      if (
        (status.state === 'stopped' || status.state === 'failed' || status.state === 'released') &&
        !restarted
      ) {
        // minting for a stopped session restarts it
        restarted = true;
        await api.automationTicket(id).catch(() => undefined);
      }
      if (Date.now() > deadline) {
        const queue = status.queue
          ? ` (queued at position ${status.queue.position}: ${status.queue.reason})`
          : '';
        throw new CodedError(
          'SESSION_ALLOCATE_FAILED',
          `browserpane: session ${id} did not start within ${config.startTimeoutMs}ms; it is ${status.state}${queue}`,
        );
      }
      await sleep(500);
    }
    const ticket = await api.automationTicket(id);
    const gateway = new URL(
      ticket.cdp_url ?? `${ticket.relay_url.replace(/\/+$/, '')}/sessions/${id}/cdp`,
    );
    gateway.search = '';
    return {
      sessionId: id,
      cdpUrl: gateway.href,
      connectHeaders: { Authorization: `Bearer ${ticket.token}` },
      liveUrl: joinLink(id),
    };
  };

  const release = async (sessionId: string): Promise<void> => {
    const what = held.get(sessionId) ?? { created: false, delegated: false };
    held.delete(sessionId);
    try {
      if (what.delegated) await api.clearAutomationOwner(sessionId);
      if (what.created) await stopWhenFree(api, sessionId, logger);
    } catch (error) {
      logger.warn(`browserpane: release ${sessionId}: ${(error as Error).message}`);
    }
  };

  return {
    name: 'browserpane',
    async allocate({ profile, sessionName }) {
      check();
      const reuse = profile ?? config.sessionId;
      let id: string;
      if (reuse) {
        id = reuse;
        logger.info('session', `browserpane: reusing session ${id} (${sessionName})`);
      } else {
        const body: CreateSessionRequest = {
          labels: { 'created-by': CREATED_BY, 'wb-session': sessionName.slice(0, 256) },
        };
        if (config.viewport) body.viewport = config.viewport;
        if (config.idleTimeoutSec) body.idle_timeout_sec = config.idleTimeoutSec;
        id = (await api.createSession(body)).id;
        logger.info('session', `browserpane: created session ${id} (${sessionName})`);
      }
      try {
        held.set(id, await entitle(id));
        return await attach(id);
      } catch (error) {
        if (!reuse) {
          held.set(id, { created: true, delegated: held.get(id)?.delegated ?? false });
          await release(id);
        }
        throw error;
      }
    },
    async getLiveUrl({ sessionId }) {
      return joinLink(sessionId);
    },
    async reconnect(state) {
      check();
      held.set(state.sid, await entitle(state.sid));
      return attach(state.sid);
    },
    release: ({ sessionId }) => release(sessionId),
    async handOff({ sessionId }, { message }) {
      const live = joinLink(sessionId);
      logger.info('session', `browserpane: handing session ${sessionId} to a person: ${live}`);
      return {
        live_url: live,
        hand_off: {
          vendor: 'browserpane',
          session_id: sessionId,
          live_url: live,
          instructions: `${message ? `${message} — ` : ''}open the live URL, sign in, and take over; resume the workbook when you are done.`,
        },
      };
    },
    fetchDownload: ({ sessionId }, file, to) => fetchSessionFile(api, sessionId, file, to, taken),
  };
}

/**
 * Safe stop. The edge learns of the runtime's own CDP detach with the host's next heartbeat, so a
 * refusal that names only automation blockers is retried briefly; people still connected keep the
 * session (it idles out once they leave).
 */
async function stopWhenFree(api: BrowserPaneApi, id: string, logger: Logger): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await api.stop(id);
      logger.info('session', `browserpane: stopped session ${id}`);
      return;
    } catch (error) {
      if (!(error instanceof BrowserPaneHttpError) || error.status !== 409) throw error;
      const status = await api.status(id);
      const blockers = status.stop_eligibility.blockers;
      if (blockers.some((b) => PEOPLE.has(b.kind))) {
        logger.info('session', `browserpane: session ${id} kept running: people are connected`);
        return;
      }
      if (attempt >= 20) throw error;
      await sleep(250);
    }
  }
}
