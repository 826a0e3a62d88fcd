import { BrowserPaneClient, type ClientEvent, type Participant } from '../src/index.ts';
import type { Api } from './api.ts';
import { MediaControls } from './controls/audio.ts';
import { AutomationControl } from './controls/automation.ts';
import { FilesControls } from './controls/files.ts';
import { ScaleToggle } from './controls/scale-toggle.ts';
import { ShareMenu } from './controls/share-menu.ts';
import { clear, h } from './dom.ts';
import { Notices } from './notices.ts';
import { stopFromLiveView } from './stop-session.ts';

const RUNNING = new Set(['ready', 'active', 'idle']);

export interface LiveViewOptions {
  readonly api: Api;
  readonly sessionId: string;
  readonly role: 'owner' | 'viewer';
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
  private readonly stage: HTMLElement;
  private readonly status: HTMLElement;
  private readonly people: HTMLElement;
  private readonly metrics: HTMLElement;
  private readonly media = new MediaControls((text) => this.flash(text));
  private readonly notices = new Notices();
  private readonly scale = new ScaleToggle();
  private readonly files = new FilesControls((text) => this.flash(text));
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private disposed = false;
  /** This person stopped the session: the placeholder offers to start it again. */
  private stoppedHere = false;

  constructor(private readonly options: LiveViewOptions) {
    clear(options.root);
    this.status = h('span.status', { text: 'Connecting…' });
    this.metrics = h('span.metrics');
    this.people = h('span.people');
    const share = new ShareMenu(
      { open: (role) => this.openSecondWindow(role), copyLink: () => this.copyLink() },
      (text) => this.flash(text),
    );
    // what the session is (shrinks and ellipsizes on narrow screens) | what you can do (never cut)
    const info = h(
      'div.toolbar-info',
      {},
      h('span.session-id', {
        text: `Session ${options.sessionId.slice(0, 8)}`,
        title: options.sessionId,
      }),
      this.status,
      this.people,
      this.metrics,
    );
    const actions = h(
      'div.toolbar-actions',
      {},
      this.scale.element,
      this.media.element,
      this.files.element,
      share.element,
      options.role === 'owner'
        ? new AutomationControl(options.api, options.sessionId, (text) => this.flash(text)).element
        : undefined,
      options.role === 'owner'
        ? h('button.danger', { onclick: () => void this.stop() }, 'Stop session')
        : undefined,
    );
    const toolbar = h('div.toolbar', {}, info, actions);
    this.stage = h('div.stage', { 'data-testid': 'live-view' });
    options.root.append(toolbar, this.stage, this.notices.element);
    void this.connect();
  }

  get sdk(): BrowserPaneClient | undefined {
    return this.client;
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.statsTimer);
    this.client?.disconnect();
    this.client = undefined;
  }

  private async connect(): Promise<void> {
    const { api, sessionId, role } = this.options;
    this.stoppedHere = false;
    try {
      this.setStatus('Starting the browser…');
      const ticket = await this.ticketWhenRunning(api, sessionId, role);
      if (this.disposed) return;
      this.setStatus('Connecting…');
      clear(this.stage);
      const client = await BrowserPaneClient.connect({
        container: this.stage,
        relayUrl: ticket.relay_url,
        sessionId,
        ticket: ticket.token,
        role,
        certSha256Hex: ticket.cert_sha256,
        workerUrl: '/console/decode-worker.js',
        clientName: `console ${navigator.userAgent.match(/Chrom(e|ium)\/[\d]+/)?.[0] ?? ''}`.trim(),
      });
      if (this.disposed) return client.disconnect();
      this.client = client;
      (window as unknown as { bpClient?: BrowserPaneClient }).bpClient = client;
      client.on((e) => this.onEvent(e));
      this.scale.bind(client);
      this.media.bind(client);
      this.files.bind(client);
      this.setStatus(client.controls ? 'Live · you are driving' : 'Live · watching');
      this.statsTimer = setInterval(() => this.showMetrics(), 1000);
      client.focus();
      this.options.onStateChange?.();
    } catch (err) {
      this.offerRetry((err as Error).message);
    }
  }

  private async ticketWhenRunning(api: Api, id: string, role: 'owner' | 'viewer') {
    const deadline = Date.now() + 60_000;
    const request = { params: { session_id: id }, body: { role } };
    // Minting also restarts a stopped or released session.
    let ticket = await api.issueSessionAccessToken(request);
    for (;;) {
      const status = await api.getSessionStatus({ params: { session_id: id } });
      if (RUNNING.has(status.state) && status.runtime_state === 'running') break;
      if (['failed', 'stopped'].includes(status.state))
        throw new Error(`session is ${status.state}`);
      if (Date.now() > deadline) throw new Error('the browser did not start within a minute');
      this.setStatus(
        status.state === 'queued' ? 'Waiting for a free host…' : 'Starting the browser…',
      );
      await new Promise((r) => setTimeout(r, 500));
    }
    if (Date.parse(ticket.expires_at) - Date.now() < 15_000)
      ticket = await api.issueSessionAccessToken(request);
    return ticket;
  }

  private onEvent(e: ClientEvent): void {
    if (e.type === 'participants') this.showPeople(e.participants);
    else if (e.type === 'ownership')
      this.setStatus(this.client?.controls ? 'Live · you are driving' : 'Live · watching');
    else if (e.type === 'notice') this.flash(e.message);
    else if (e.type === 'closed') {
      clearInterval(this.statsTimer);
      this.metrics.textContent = '';
      this.client = undefined;
      if (this.disposed) return;
      if (this.stoppedHere) this.offerRetry('You stopped this session.', 'Start again', 'Stopped');
      else this.offerRetry(e.reason || 'disconnected');
    }
  }

  private showPeople(list: Participant[]): void {
    const others = list.length;
    this.people.textContent =
      others === 0 ? 'only you' : `${others} other${others === 1 ? '' : 's'} here`;
    this.people.title = list.map((p) => `${p.displayName} (${p.role})`).join('\n');
  }

  private showMetrics(): void {
    const s = this.client?.stats();
    if (!s) return;
    this.metrics.textContent = `${s.rttMs.toFixed(1)} ms · ${s.fps} fps · ${(s.bytesIn / 1e6).toFixed(1)} MB`;
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
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
        h('button.primary', { onclick: () => void this.connect() }, action),
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
          this.client?.disconnect();
          this.client = undefined;
        },
        confirm: (question) => window.confirm(question),
        progress: (text) => this.setStatus(text),
      });
      this.flash(done);
    } catch (err) {
      this.flash((err as Error).message);
    }
    this.options.onStateChange?.();
  }
}
