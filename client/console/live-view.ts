import { CLOSE_CODES } from '@browserpane/protocol';
import {
  type BrowserPaneClient,
  type ConnectionState,
  FinalConnectError,
  type Participant,
  ReconnectingClient,
  type ReconnectingEvent,
  type RelayTicket,
} from '../src/index.ts';
import { type Api, ApiError } from './api.ts';
import { ConnectionBanner } from './connection-banner.ts';
import { MediaControls } from './controls/audio.ts';
import { AutomationControl } from './controls/automation.ts';
import { FilesControls } from './controls/files.ts';
import { RecordingControl } from './controls/recording.ts';
import { ScaleToggle } from './controls/scale-toggle.ts';
import { ShareDialog } from './controls/share-dialog.ts';
import { ShareMenu } from './controls/share-menu.ts';
import { clear, h } from './dom.ts';
import { Notices } from './notices.ts';
import { RttSettler } from './rtt-settler.ts';
import { progressText, sessionStep } from './session-progress.ts';
import { stopFromLiveView } from './stop-session.ts';

/** The SDK's tile decode worker, as the console serves it. */
export const DECODE_WORKER_URL = '/console/decode-worker.js';

/** Ticket answers that mean "not yet": the session waits for a host or is between states. */
const WAITING_CODES = new Set(['session_queued', 'session_not_running']);

export interface LiveViewOptions {
  readonly api: Api;
  readonly sessionId: string;
  readonly role: 'owner' | 'viewer';
  /** The person's access to the session (default `owner`); only owners stop and share it. */
  readonly access?: 'owner' | 'delegate' | 'collaborator' | 'viewer';
  /** What the toolbar calls the session. */
  readonly name?: string;
  /** Where the live view and its toolbar go. */
  readonly root: HTMLElement;
  readonly onStateChange?: () => void;
}

/**
 * One session on screen: waits for its browser to be running, mints a connect ticket, connects the
 * SDK, and shows who is here, how fast it is, and what the user can do (reconnect, share, stop).
 */
export class LiveView {
  private client: BrowserPaneClient | undefined;
  private live: ReconnectingClient | undefined;
  private readonly banner = new ConnectionBanner(() => this.live?.retry());
  private readonly stage: HTMLElement;
  private readonly status: HTMLElement;
  private readonly people: HTMLElement;
  private readonly name: HTMLElement;
  private readonly metrics: HTMLElement;
  private readonly media = new MediaControls((text) => this.flash(text));
  private readonly notices = new Notices();
  private readonly scale = new ScaleToggle();
  private readonly files = new FilesControls((text) => this.flash(text));
  private readonly recording: RecordingControl;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private disposed = false;
  /** This person stopped the session: the placeholder offers to start it again. */
  private stoppedHere = false;
  /** A revoked share cut the connection once: the next refusal of a ticket means it ended. */
  private revokedOnce = false;
  private readonly rtt = new RttSettler();

  constructor(private readonly options: LiveViewOptions) {
    clear(options.root);
    this.status = h('span.status', { text: 'Connecting…' });
    this.metrics = h('span.metrics');
    this.people = h('span.people');
    this.name = h('span.session-id', {
      text: options.name ?? `Session ${options.sessionId.slice(-6)}`,
      title: options.sessionId,
    });
    const owner = (options.access ?? 'owner') === 'owner';
    const dialog = owner
      ? new ShareDialog(options.api, options.sessionId, (text) => this.flash(text))
      : undefined;
    const share = new ShareMenu(
      {
        open: (role) => this.openSecondWindow(role),
        copyLink: () => this.copyLink(),
        ...(dialog ? { people: () => dialog.open() } : {}),
      },
      (text) => this.flash(text),
    );
    // what the session is (shrinks and ellipsizes on narrow screens) | what you can do (never cut)
    const info = h('div.toolbar-info', {}, this.name, this.status, this.people, this.metrics);
    // Record / Stop and the library for the owner; the REC indicator for everyone watching
    this.recording = new RecordingControl(
      options.api,
      options.sessionId,
      options.role === 'owner' && owner,
      (text) => this.flash(text),
    );
    const actions = h(
      'div.toolbar-actions',
      {},
      this.recording.element,
      this.scale.element,
      this.media.element,
      this.files.element,
      share.element,
      options.role === 'owner' && owner
        ? new AutomationControl(options.api, options.sessionId, (text) => this.flash(text)).element
        : undefined,
      options.role === 'owner' && owner
        ? h('button.danger', { onclick: () => void this.stop() }, 'Stop session')
        : undefined,
    );
    const toolbar = h('div.toolbar', {}, info, actions);
    this.stage = h('div.stage', { 'data-testid': 'live-view' });
    options.root.append(toolbar, this.stage, this.banner.element, this.notices.element);
    if (dialog) options.root.append(dialog.element);
    this.connect();
  }

  /** Shows the session's new name in the toolbar. */
  rename(name: string): void {
    this.name.textContent = name;
  }

  get sdk(): BrowserPaneClient | undefined {
    return this.client;
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.statsTimer);
    this.recording.dispose();
    this.banner.dispose();
    this.live?.close();
    this.live = undefined;
    this.client = undefined;
  }

  /**
   * Connects through a reconnecting client: a dropped relay connection (host restart, network
   * blip, the session re-placed on another host) comes back by itself with a fresh ticket.
   */
  private connect(): void {
    const { sessionId, role } = this.options;
    this.stoppedHere = false;
    this.live?.close();
    clear(this.stage);
    this.stage.classList.remove('reconnecting');
    const live = new ReconnectingClient({
      container: this.stage,
      sessionId,
      role,
      workerUrl: DECODE_WORKER_URL,
      clientName: `console ${navigator.userAgent.match(/Chrom(e|ium)\/[\d]+/)?.[0] ?? ''}`.trim(),
      getTicket: ({ attempt }) => this.ticket(attempt),
    });
    this.live = live;
    live.on((e) => this.onEvent(e));
    live.start();
  }

  /** A ticket for the next connection, once the session runs (reconnects never restart it). */
  private async ticket(attempt: number): Promise<RelayTicket> {
    const { api, sessionId, role } = this.options;
    if (attempt === 0) this.setStatus('Starting the browser…');
    try {
      const ticket = await this.ticketWhenRunning(api, sessionId, role, attempt > 0);
      if (attempt === 0) this.setStatus('Connecting…');
      return {
        relayUrl: ticket.relay_url,
        ticket: ticket.token,
        certSha256Hex: ticket.cert_sha256,
      };
    } catch (err) {
      if (
        err instanceof ApiError &&
        ([401, 403, 404, 429].includes(err.status) || err.code === 'session_stopped')
      )
        throw new FinalConnectError(err.status, err.message);
      throw err;
    }
  }

  private async ticketWhenRunning(
    api: Api,
    id: string,
    role: 'owner' | 'viewer',
    reconnecting: boolean,
  ) {
    const deadline = Date.now() + 60_000;
    const fastUntil = Date.now() + 2_000;
    const session = { params: { session_id: id } };
    const request = { ...session, body: { role } };
    if (reconnecting) {
      // Minting restarts a stopped session: a reconnect must not undo someone's stop.
      const before = await api.getSessionStatus(session);
      if (['stopped', 'failed', 'stopping'].includes(before.state))
        throw new FinalConnectError(CLOSE_CODES.session_stopped, `the session is ${before.state}`);
    }
    const mint = () => api.issueSessionAccessToken(request);
    // Minting also restarts a stopped or released session; a waiting one answers 409.
    const ticket = await mint().catch((err: unknown) => {
      if (err instanceof ApiError && WAITING_CODES.has(err.code)) return undefined;
      throw err;
    });
    // Placed on a host (starting or running): connect now. The host's relay holds the connection
    // until the browser runs there, so the picture comes the moment it does; the toolbar follows
    // the start meanwhile.
    if (ticket) {
      if (!reconnecting) void this.followStart(api, id);
      return ticket;
    }
    // waiting for a host: once one has it, a ticket names that host's relay
    for (;;) {
      const status = await api.getSessionStatus(session);
      const step = sessionStep(status);
      if (step !== 'queued') break;
      if (['failed', 'stopped'].includes(status.state))
        throw new FinalConnectError(CLOSE_CODES.session_stopped, `session is ${status.state}`);
      if (Date.now() > deadline) throw new Error('no host took the session within a minute');
      if (!reconnecting) this.setStatus(progressText(step, status));
      // short at first (a host lost a moment ago is replaced at once), then calmer
      await new Promise((r) => setTimeout(r, Date.now() < fastUntil ? 100 : 250));
    }
    const placed = await mint();
    if (!reconnecting) void this.followStart(api, id);
    return placed;
  }

  /** Shows the session's way to running in the toolbar until the connection is live. */
  private async followStart(api: Api, id: string): Promise<void> {
    const session = { params: { session_id: id } };
    const deadline = Date.now() + 60_000;
    const done = () => this.disposed || this.live?.state.phase === 'live';
    while (!done() && Date.now() < deadline) {
      const status = await api.getSessionStatus(session).catch(() => undefined);
      if (done()) return;
      if (status) {
        const step = sessionStep(status);
        if (step === 'ready' || ['failed', 'stopped'].includes(status.state)) return;
        this.setStatus(progressText(step, status));
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  private onEvent(e: ReconnectingEvent): void {
    if (e.type === 'state') this.onState(e.state);
    else if (e.type === 'client') this.bind(e.client);
    else if (e.type === 'inputDropped') {
      const what = [
        e.keys ? `${e.keys} key${e.keys === 1 ? '' : 's'}` : '',
        e.clicks ? `${e.clicks} click${e.clicks === 1 ? '' : 's'}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      this.flash(`Not connected: ${what} not sent. Do it again once the picture is back.`);
    } else if (e.type === 'participants') this.showPeople(e.participants);
    else if (e.type === 'ownership')
      this.setStatus(this.client?.controls ? 'Live · you are driving' : 'Live · watching');
    else if (e.type === 'notice') this.flash(e.message);
    else if (e.type === 'closed') {
      clearInterval(this.statsTimer);
      // nobody is "here" in a closed view, and its last round trip says nothing now
      this.metrics.textContent = '';
      this.people.textContent = '';
      this.people.title = '';
      this.client = undefined;
    }
  }

  private bind(client: BrowserPaneClient): void {
    this.client = client;
    (window as unknown as { bpClient?: BrowserPaneClient }).bpClient = client;
    this.scale.bind(client);
    this.media.bind(client);
    this.files.bind(client);
    clearInterval(this.statsTimer);
    this.rtt.reset();
    this.statsTimer = setInterval(() => this.showMetrics(), 1000);
    // a reconnect must not take the keyboard from a field the person is typing in (a rename)
    const typing = document.activeElement?.closest('input, textarea, select, [contenteditable]');
    if (!typing || this.stage.contains(typing)) client.focus();
  }

  private onState(state: ConnectionState): void {
    (window as unknown as { bpConnection?: ConnectionState }).bpConnection = state;
    this.banner.show(state);
    this.stage.classList.toggle(
      'reconnecting',
      state.phase === 'reconnecting' || state.phase === 'gave_up',
    );
    if (this.disposed) return;
    if (state.phase === 'live') {
      this.setStatus(this.client?.controls ? 'Live · you are driving' : 'Live · watching');
      if (state.reconnects > 0) this.flash('Reconnected');
      this.revokedOnce = false;
      this.options.onStateChange?.();
    } else if (state.phase === 'reconnecting')
      this.setStatus(`Reconnecting… (attempt ${state.attempt})`);
    else if (state.phase === 'gave_up') this.setStatus('Disconnected');
    else if (state.phase === 'ended') this.onEnded(state.code, state.reason);
  }

  private onEnded(code: number, reason: string): void {
    // stop() says "Stopped" once the edge does, not when this view closes
    if (this.stoppedHere) return;
    if (code === CLOSE_CODES.grant_revoked && !this.revokedOnce) {
      // a share was revoked: ours may still stand (then a new ticket lets us back in)
      this.revokedOnce = true;
      this.connect();
    } else if (this.revokedOnce && code === 404) this.noAccess();
    else void this.explainClose(reason || 'disconnected');
  }

  /** Someone it was shared with and cut off learns whether their share ended. */
  private async explainClose(reason: string): Promise<void> {
    if ((this.options.access ?? 'owner') !== 'owner') {
      try {
        await this.options.api.getSession({ params: { session_id: this.options.sessionId } });
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return this.noAccess();
      }
    }
    this.offerRetry(reason);
  }

  private noAccess(): void {
    this.offerRetry('The owner stopped sharing this session with you.', 'Try again', 'No access');
  }

  private showPeople(all: Participant[]): void {
    // A recorder is not a person: it shows as the REC indicator (to viewers too).
    this.recording.recorderPresent(all.some((p) => p.role === 'recorder'));
    const list = all.filter((p) => p.role !== 'recorder');
    const others = list.length;
    this.people.textContent =
      others === 0 ? 'only you' : `${others} other${others === 1 ? '' : 's'} here`;
    this.people.title = list.map((p) => `${p.displayName} (${p.role})`).join('\n');
  }

  private showMetrics(): void {
    const s = this.client?.stats();
    if (!s) return;
    const rtt = this.rtt.add(s.rttMs);
    this.metrics.textContent = `${rtt === undefined ? '… ms' : `${rtt.toFixed(1)} ms`} · ${s.fps} fps · ${(s.bytesIn / 1e6).toFixed(1)} MB`;
    this.metrics.title =
      rtt === undefined ? 'Round trip: measuring until it settles' : 'Round trip (median)';
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
    // green only while live; "Stopped", "No access", "Reconnecting…" are not good news
    this.status.classList.toggle('live', text.startsWith('Live'));
  }

  private flash(text: string): void {
    this.notices.show(text);
  }

  private offerRetry(reason: string, action = 'Reconnect', status = 'Disconnected'): void {
    this.setStatus(status);
    clear(this.stage);
    this.stage.append(
      h(
        'div.placeholder',
        {},
        h('p', { text: reason }),
        h('button.primary', { onclick: () => this.connect() }, action),
      ),
    );
  }

  private link(role: 'owner' | 'viewer'): string {
    return `${location.origin}/?session=${encodeURIComponent(this.options.sessionId)}&role=${role}`;
  }

  private openSecondWindow(role: 'owner' | 'viewer'): void {
    window.open(this.link(role), '_blank', 'popup=yes,width=1100,height=760');
  }

  private async copyLink(): Promise<string> {
    try {
      await navigator.clipboard.writeText(this.link('viewer'));
      return 'Viewer link copied';
    } catch {
      return this.link('viewer');
    }
  }

  private async stop(): Promise<void> {
    try {
      const done = await stopFromLiveView({
        api: this.options.api,
        sessionId: this.options.sessionId,
        myConnectionId: this.client?.connectionId,
        disconnectSelf: () => {
          this.stoppedHere = true;
          clearInterval(this.statsTimer);
          this.live?.close();
          this.live = undefined;
          this.client = undefined;
          this.offerRetry('Stopping the session…', 'Start again', 'Stopping…');
        },
        confirm: (question) => window.confirm(question),
        progress: (text) => this.setStatus(text),
      });
      this.flash(done);
      if (this.stoppedHere && !this.disposed) {
        const stopped = await this.untilStopped();
        this.offerRetry(
          'You stopped this session.',
          'Start again',
          stopped ? 'Stopped' : 'Stopping…',
        );
      }
    } catch (err) {
      this.flash((err as Error).message);
    }
    this.options.onStateChange?.();
  }

  /** Whether the session's state became `stopped` (the host reported its browser gone). */
  private async untilStopped(): Promise<boolean> {
    const deadline = Date.now() + 60_000;
    while (!this.disposed && Date.now() < deadline) {
      const status = await this.options.api.getSessionStatus({
        params: { session_id: this.options.sessionId },
      });
      if (status.state === 'stopped') return true;
      await new Promise((r) => setTimeout(r, 500));
    }
    return false;
  }
}
