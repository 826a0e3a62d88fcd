import { type Api, ApiError } from './api.ts';

export interface StopFromLiveView {
  readonly api: Api;
  readonly sessionId: string;
  /** This live view's own connection (it does not count as someone else using the session). */
  readonly myConnectionId: string | undefined;
  /** Ends this live view's connection. */
  disconnectSelf(): void;
  /** Asks the person; false = leave the session running. */
  confirm(question: string): boolean;
  /** Progress for the toolbar. */
  progress(text: string): void;
}

const SAFE_STOP_WAIT_MS = 15_000;

/**
 * The owner's "Stop session": a safe stop refuses while anyone is attached, and the owner's own
 * live view is attached. So: if someone else (people, automation) uses the session, ask and then
 * kill; otherwise close this live view and retry the safe stop until the host has reported the
 * connection gone. Resolves with what happened, for the notice.
 */
export async function stopFromLiveView(o: StopFromLiveView): Promise<string> {
  const session = { params: { session_id: o.sessionId } };
  const status = await o.api.getSessionStatus(session);
  // a recorder is not someone using the session: the safe stop ends its recording too
  const others = status.connections.filter(
    (c) => c.host_connection_id !== o.myConnectionId && c.role !== 'recorder',
  );
  const automation = Boolean(
    status.automation_owner || status.mcp_owner || status.automation_connections.length > 0,
  );
  if (others.length > 0 || automation) {
    const who = [
      others.length > 0 ? `${others.length} other connection${others.length === 1 ? '' : 's'}` : '',
      automation ? 'an automation owner' : '',
    ]
      .filter(Boolean)
      .join(' and ');
    if (!o.confirm(`This session is in use (${who}). Stop it anyway? Everyone is disconnected.`))
      return 'Session left running';
    o.disconnectSelf();
    await o.api.killSession(session);
    return 'Session stopped (others were disconnected)';
  }
  o.disconnectSelf();
  o.progress('Stopping…');
  const deadline = Date.now() + SAFE_STOP_WAIT_MS;
  for (;;) {
    try {
      await o.api.stopSession(session);
      return 'Session stopped';
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'session_not_stoppable') throw err;
      // our own connection is still listed until the host's next report
      if (Date.now() > deadline) {
        await o.api.killSession(session);
        return 'Session stopped';
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
