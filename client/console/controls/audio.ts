import type { AudioApi } from '../../src/audio/audio-feature.ts';
import type { MediaErrorCode } from '../../src/audio/media-errors.ts';
import type { MicrophoneApi } from '../../src/audio/microphone-feature.ts';
import type { BrowserPaneClient, ClientEvent } from '../../src/index.ts';
import { h } from '../dom.ts';
import { CameraControl } from './camera.ts';

/** Why the microphone did not start, in words for the person who pressed Mic. */
const MIC_FAILURES: Partial<Record<MediaErrorCode, string>> = {
  no_device: 'No microphone found: connect one (or check that your system sees it) and try again',
  permission_denied:
    "Microphone blocked: allow this site to use the microphone in your browser's site settings, then try again",
  device_failed: 'Your microphone could not be opened: another application may be using it',
  unsupported: 'This browser cannot send microphone audio',
};

/** The sentence a failed Mic start shows (a notice, and the button's tooltip until it works). */
export function micFailureText(err: unknown): string {
  const code = (err as { code?: MediaErrorCode }).code;
  return (code && MIC_FAILURES[code]) ?? `The microphone did not start: ${(err as Error).message}`;
}

/**
 * The live view's media controls: desktop sound (mute, or "Enable sound" while the browser holds
 * playback back until a click), the microphone (saying why when it cannot start), and the camera.
 * Put `element` in the toolbar and call `bind(client)` after every connect.
 */
export class MediaControls {
  readonly element: HTMLElement;
  private readonly sound: HTMLButtonElement;
  private readonly mic: HTMLButtonElement;
  private readonly camera = new CameraControl();
  private client: BrowserPaneClient | undefined;
  private unsubscribe: (() => void) | undefined;
  private micBusy = false;
  /** Why the last Mic start failed; shown as the button's tooltip until one works. */
  private micProblem: string | undefined;

  /** `flash` shows a short notice (why the microphone did not start). */
  constructor(private readonly flash: (text: string) => void = () => undefined) {
    this.sound = h<'button'>('button.ghost', {
      'data-testid': 'audio-toggle',
      onclick: () => this.toggleSound(),
    });
    this.mic = h<'button'>('button.ghost', {
      'data-testid': 'mic-toggle',
      onclick: () => void this.toggleMic(),
    });
    this.element = h('span.media-controls', {}, this.sound, this.mic, this.camera.element);
    this.render();
  }

  bind(client: BrowserPaneClient): void {
    this.unsubscribe?.();
    this.client = client;
    this.unsubscribe = client.on((e) => this.onEvent(e));
    this.camera.bind(client);
    this.render();
  }

  private onEvent(e: ClientEvent): void {
    this.camera.onEvent(e);
    if (e.type === 'closed') {
      this.unsubscribe?.();
      this.client = undefined;
    }
    if (e.type === 'feature' || e.type === 'ownership' || e.type === 'closed') this.render();
  }

  private audio(): AudioApi | undefined {
    return this.client?.feature<AudioApi>('audio');
  }

  private microphone(): MicrophoneApi | undefined {
    return this.client?.feature<MicrophoneApi>('microphone');
  }

  private render(): void {
    const audio = this.audio();
    if (!audio?.available) {
      label(this.sound, 'No sound', 'This session sends no desktop audio', true);
    } else {
      const playback = audio.stats().playback;
      if (playback === 'blocked')
        label(this.sound, 'Enable sound', 'Your browser waits for a click before playing sound');
      else if (audio.muted) label(this.sound, 'Sound off', 'Unmute the remote browser');
      else label(this.sound, 'Sound on', 'Mute the remote browser');
      this.sound.setAttribute('aria-pressed', audio.muted ? 'false' : 'true');
    }
    const mic = this.microphone();
    if (!mic?.available) {
      label(
        this.mic,
        'Mic',
        'Only the participant driving the session can use the microphone',
        true,
      );
      this.mic.setAttribute('aria-pressed', 'false');
    } else {
      label(
        this.mic,
        mic.active ? 'Mic on' : 'Mic off',
        mic.active
          ? 'Stop your microphone'
          : (this.micProblem ?? 'Let the remote browser hear your microphone'),
        this.micBusy,
      );
      this.mic.setAttribute('aria-pressed', mic.active ? 'true' : 'false');
    }
  }

  private toggleSound(): void {
    const audio = this.audio();
    if (!audio?.available) return;
    if (audio.stats().playback === 'blocked') {
      void audio.resume().then(() => this.render());
      if (audio.muted) audio.setMuted(false);
      return;
    }
    audio.setMuted(!audio.muted);
    this.render();
  }

  private async toggleMic(): Promise<void> {
    const mic = this.microphone();
    if (!mic?.available) return;
    if (mic.active) {
      mic.stop();
      this.render();
      return;
    }
    this.micBusy = true;
    this.render();
    try {
      await mic.start();
      this.micProblem = undefined;
    } catch (err) {
      this.micProblem = micFailureText(err);
      this.flash(this.micProblem);
    } finally {
      this.micBusy = false;
      this.render();
    }
  }
}

function label(button: HTMLButtonElement, text: string, title: string, disabled = false): void {
  button.textContent = text;
  button.title = title;
  button.disabled = disabled;
}
