import type { SessionRecording } from '@browserpane/api';
import type { Api } from '../api.ts';
import { currentSession } from '../auth.ts';
import { clear, h } from '../dom.ts';

const ACTIVE = new Set(['starting', 'recording']);
const POLL_MS = 3000;

function seconds(ms: number | null | undefined): string {
  if (!ms) return '0 s';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function size(bytes: number | null | undefined): string {
  if (!bytes) return '—';
  return bytes < 1024 * 1024
    ? `${Math.round(bytes / 1024)} KB`
    : `${(bytes / 1048576).toFixed(1)} MB`;
}

/**
 * Recording in the live view: a red "REC" indicator whenever the session is being recorded (for
 * everyone watching: a recorder on the relay, or the session's recording status), Record / Stop recording for the owner when the session's policy allows it,
 * and the session's recording library: each segment with its state, length and size, played in the
 * page or saved. The files come with the person's token (fetched, then handed to the player).
 */
export class RecordingControl {
  readonly element: HTMLElement;
  private readonly indicator: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly libraryButton: HTMLButtonElement;
  private readonly panel: HTMLElement;
  private readonly player: HTMLVideoElement;
  private timer: ReturnType<typeof setInterval> | undefined;
  private mode: string = 'disabled';
  private active: SessionRecording | undefined;
  private list: SessionRecording[] = [];
  private busy = false;
  private playerUrl: string | undefined;
  private recorderHere = false;
  private statusRecording = false;

  constructor(
    private readonly api: Api,
    private readonly sessionId: string,
    private readonly owner: boolean,
    private readonly flash: (text: string) => void,
  ) {
    this.indicator = h('span.rec-indicator', {
      'data-testid': 'recording-indicator',
      title: 'This session is being recorded',
      text: '● REC',
      hidden: true,
    });
    this.toggle = h<'button'>('button.ghost', {
      'data-testid': 'recording-toggle',
      hidden: true,
      onclick: () => void this.toggleRecording(),
    });
    this.libraryButton = h<'button'>('button.ghost', {
      'data-testid': 'recordings',
      title: "This session's recordings",
      onclick: () => this.togglePanel(),
      hidden: !owner,
    });
    this.player = h<'video'>('video', { controls: true, 'data-testid': 'recording-player' });
    Object.assign(this.player.style, { width: '100%', display: 'none', marginTop: '8px' });
    this.panel = h('div.popover', { 'data-testid': 'recordings-panel', hidden: true });
    Object.assign(this.panel.style, {
      position: 'absolute',
      top: '100%',
      right: '0',
      zIndex: '10',
      width: '420px',
      maxHeight: '480px',
      overflow: 'auto',
      background: '#fff',
      color: '#1d1f23',
      border: '1px solid #dde',
      borderRadius: '8px',
      boxShadow: '0 6px 24px rgba(0,0,0,.2)',
      padding: '8px',
      whiteSpace: 'normal',
    });
    this.element = h(
      'span.recording-controls',
      {},
      this.indicator,
      this.toggle,
      this.libraryButton,
      this.panel,
    );
    this.element.style.position = 'relative';
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), POLL_MS);
  }

  dispose(): void {
    clearInterval(this.timer);
    if (this.playerUrl) URL.revokeObjectURL(this.playerUrl);
  }

  private get session() {
    return { params: { session_id: this.sessionId } };
  }

  private async refresh(): Promise<void> {
    try {
      const status = await this.api.getSessionStatus(this.session);
      this.mode = status.recording.configured_mode;
      this.statusRecording = status.recording.state === 'recording';
      if (this.owner) {
        this.list = (await this.api.listSessionRecordings(this.session)).recordings;
        this.active = this.list.find((r) => ACTIVE.has(r.state));
      }
    } catch {
      // the session ended or the network blinked: the next poll tries again
    }
    this.render();
  }

  /** A recorder is connected to the relay (what a viewer without API access can see). */
  recorderPresent(present: boolean): void {
    this.recorderHere = present;
    this.render();
  }

  private render(): void {
    this.indicator.hidden = !(this.recorderHere || this.statusRecording);
    const can = this.owner && this.mode !== 'disabled';
    this.toggle.hidden = !can;
    this.toggle.textContent = this.active ? 'Stop recording' : 'Record';
    this.toggle.disabled = this.busy;
    this.libraryButton.textContent = `Recordings (${this.list.length})`;
    if (!this.panel.hidden) this.renderPanel();
  }

  private async toggleRecording(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.render();
    try {
      if (this.active) {
        await this.api.stopSessionRecording({
          params: { session_id: this.sessionId, recording_id: this.active.id },
        });
        this.flash('Recording stopped: it is being saved');
      } else {
        await this.api.createSessionRecording(this.session);
        this.flash('Recording started');
      }
    } catch (err) {
      this.flash(`Recording: ${(err as Error).message}`);
    } finally {
      this.busy = false;
      await this.refresh();
    }
  }

  private togglePanel(): void {
    this.panel.hidden = !this.panel.hidden;
    if (!this.panel.hidden) this.renderPanel();
  }

  private renderPanel(): void {
    const rows = this.list.map((r) =>
      h(
        'div.recording-row',
        { 'data-testid': 'recording-row', 'data-state': r.state },
        h('b', { text: `#${r.sequence} ` }),
        h('span', {
          text: `${r.state} · ${seconds(r.duration_ms ?? null)} · ${size(r.bytes ?? null)}`,
        }),
        r.error ? h('div.metrics', { text: r.error }) : undefined,
        r.bytes
          ? h(
              'span',
              {},
              ' ',
              h('button.ghost', {
                'data-testid': 'recording-play',
                text: 'Play',
                onclick: () => void this.play(r),
              }),
              h('button.ghost', {
                'data-testid': 'recording-download',
                text: 'Download',
                onclick: () => void this.save(r),
              }),
              r.dom_replay.available
                ? h('button.ghost', {
                    'data-testid': 'recording-dom-download',
                    text: 'DOM replay',
                    title: 'The rrweb event log (gzipped JSON; input values masked)',
                    onclick: () => void this.save(r, 'dom'),
                  })
                : undefined,
            )
          : undefined,
      ),
    );
    clear(this.panel);
    this.panel.append(
      ...(rows.length ? rows : [h('div.metrics', { text: 'No recordings yet' })]),
      this.player,
    );
  }

  private async file(r: SessionRecording, what: 'video' | 'dom' = 'video'): Promise<Blob> {
    const token = currentSession()?.accessToken;
    const res = await fetch(
      `/api/v1/sessions/${this.sessionId}/recordings/${r.id}/${what === 'dom' ? 'dom-events' : 'content'}`,
      token ? { headers: { authorization: `Bearer ${token}` } } : {},
    );
    if (!res.ok) throw new Error(`the recording is not available (${res.status})`);
    return res.blob();
  }

  private async play(r: SessionRecording): Promise<void> {
    try {
      const blob = await this.file(r);
      if (this.playerUrl) URL.revokeObjectURL(this.playerUrl);
      this.playerUrl = URL.createObjectURL(blob);
      this.player.src = this.playerUrl;
      this.player.style.display = 'block';
      await this.player.play().catch(() => undefined);
    } catch (err) {
      this.flash((err as Error).message);
    }
  }

  private async save(r: SessionRecording, what: 'video' | 'dom' = 'video'): Promise<void> {
    try {
      const url = URL.createObjectURL(await this.file(r, what));
      const a = h<'a'>('a', {
        href: url,
        download: `session-${this.sessionId.slice(0, 8)}-recording-${r.sequence}.${what === 'dom' ? 'rrweb.json.gz' : 'webm'}`,
      });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      this.flash((err as Error).message);
    }
  }
}
