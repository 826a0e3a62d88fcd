import { CLOSE_CODES } from '@browserpane/protocol';
import type { CameraApi, CameraStatus } from '../../src/camera/camera-feature.ts';
import type { BrowserPaneClient, ClientEvent } from '../../src/index.ts';
import { h } from '../dom.ts';

const REASONS: Record<string, string> = {
  not_granted: 'The camera is off for this session or not allowed for your role',
  not_controlling: 'Only the participant driving the session can use the camera',
};

/**
 * The live view's camera control: a toggle when the session grants the camera; a label when the
 * session asked for the camera and the host said it has no device; nothing when the camera is
 * simply off for the session.
 */
export class CameraControl {
  readonly element: HTMLElement;
  private client: BrowserPaneClient | undefined;
  private hostReason: string | undefined;
  private busy = false;

  constructor() {
    this.element = h('span.camera-control');
  }

  bind(client: BrowserPaneClient): void {
    this.client = client;
    this.hostReason = undefined;
    this.render();
  }

  /** Client events: camera state changes, ownership, and the host's `camera_unavailable` notice. */
  onEvent(e: ClientEvent): void {
    if (e.type === 'notice' && e.code === CLOSE_CODES.camera_unavailable)
      this.hostReason = e.message;
    else if (e.type === 'closed') this.client = undefined;
    else if (!(e.type === 'ownership' || (e.type === 'feature' && e.feature === 'camera'))) return;
    this.render();
  }

  private api(): CameraApi | undefined {
    return this.client?.feature<CameraApi>('camera');
  }

  private render(): void {
    const api = this.api();
    const status: CameraStatus | undefined = api?.status();
    if (!api || !status) {
      this.element.replaceChildren();
      return;
    }
    if (status.state === 'unavailable') {
      // Off for this session (the default) is not news; a camera asked for and missing is.
      if (!this.hostReason) {
        this.element.replaceChildren();
        return;
      }
      const text = 'Camera unavailable on this host';
      this.element.replaceChildren(
        h('span.camera-unavailable', {
          text,
          title: this.hostReason ?? REASONS[status.reason ?? 'not_granted'] ?? '',
          'data-testid': 'camera-state',
          'data-reason': this.hostReason ? 'host' : (status.reason ?? 'not_granted'),
        }),
      );
      return;
    }
    const on = status.state === 'on';
    this.element.replaceChildren(
      h(
        'button.ghost',
        {
          'data-testid': 'camera-toggle',
          'aria-pressed': on ? 'true' : 'false',
          disabled: this.busy || status.state === 'starting',
          title: on ? 'Stop sending your camera' : 'Send your camera to the remote browser',
          onclick: () => void this.toggle(on),
        },
        on ? 'Camera on' : 'Camera off',
      ),
    );
  }

  private async toggle(on: boolean): Promise<void> {
    const api = this.api();
    if (!api) return;
    if (on) return api.stop();
    this.busy = true;
    try {
      await api.start();
    } catch (err) {
      this.element.title = (err as Error).message;
    } finally {
      this.busy = false;
      this.render();
    }
  }
}
