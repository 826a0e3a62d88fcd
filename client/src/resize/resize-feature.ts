import type { Message, MessageOf } from '@browserpane/protocol';
import type { AttachedFeature, ClientFeature, ClientFeatureContext } from '../feature.ts';
import { Debouncer, resizeRequestFor, sameRequest } from './resize-request.ts';

export type ResizeStatus = MessageOf<'resizeAck'>['status'];

/** One answer of the host to a resize (ours or another participant's). */
export interface ResizeAck {
  readonly width: number;
  readonly height: number;
  readonly status: ResizeStatus;
}

export interface ResizeStats {
  readonly requests: number;
  readonly acks: Readonly<Record<ResizeStatus, number>>;
}

/**
 * `client.feature<ResizeApi>('resize')`. Events (`{ type: 'feature', feature: 'resize', … }`):
 * `ack` with a {@link ResizeAck} for every answer, including `changedByOther`.
 */
export interface ResizeApi extends AttachedFeature {
  /** The most recent answer. */
  lastAck(): ResizeAck | undefined;
  /** Sends the container size now (no debounce), if this participant may resize. */
  sync(): void;
  /** Whether this participant may resize the remote display now. */
  allowed(): boolean;
  stats(): ResizeStats;
}

export interface ResizeFeatureOptions {
  /** Quiet time after the last container change before asking (default 150 ms). */
  readonly debounceMs?: number;
}

/**
 * Container-driven resize: when the live view's container changes size (debounced), the resize
 * owner asks the host for a remote display of the container's size in device pixels, so the
 * picture fills it 1:1. Everyone else keeps the owner's size, letterboxed by the stage.
 */
export function resizeFeature(options: ResizeFeatureOptions = {}): ClientFeature<ResizeApi> {
  return {
    name: 'resize',
    wants: ['resize'],
    messages: ['resizeAck'],
    attach: (ctx) => new ContainerResize(ctx, options.debounceMs ?? 150),
  };
}

class ContainerResize implements ResizeApi {
  private readonly observer: ResizeObserver;
  private readonly debouncer: Debouncer;
  private lastSent: MessageOf<'resizeRequest'> | undefined;
  private last: ResizeAck | undefined;
  private requests = 0;
  private readonly acks: Record<ResizeStatus, number> = {
    applied: 0,
    clamped: 0,
    denied: 0,
    changedByOther: 0,
  };
  private disposed = false;
  private wasAllowed: boolean;

  constructor(
    private readonly ctx: ClientFeatureContext,
    debounceMs: number,
  ) {
    this.debouncer = new Debouncer(debounceMs, () => this.sync());
    this.observer = new ResizeObserver(() => this.debouncer.schedule());
    this.wasAllowed = this.allowed();
    this.observer.observe(ctx.stage.root);
    // The display may have been sized for someone else (or the session's default): ask at once.
    queueMicrotask(() => this.sync());
  }

  allowed(): boolean {
    return this.ctx.capabilities.includes('resize') && this.ctx.access().includes('resizeAllowed');
  }

  sync(): void {
    if (this.disposed || !this.allowed()) return;
    const request = resizeRequestFor(this.ctx.stage.viewport());
    if (sameRequest(this.lastSent, request)) return;
    this.lastSent = request;
    this.requests++;
    this.ctx.send(request);
  }

  lastAck(): ResizeAck | undefined {
    return this.last;
  }

  stats(): ResizeStats {
    return { requests: this.requests, acks: { ...this.acks } };
  }

  onMessage(m: Message): void {
    if (m.type !== 'resizeAck') return;
    this.last = { width: m.width, height: m.height, status: m.status };
    this.acks[m.status]++;
    // After a denial or someone else's resize, the next own request must go out even if equal.
    if (m.status === 'denied' || m.status === 'changedByOther') this.lastSent = undefined;
    this.ctx.emit('ack', this.last);
  }

  onAccessChange(): void {
    const allowed = this.allowed();
    // Promoted to resize owner (the previous one left): make the display ours.
    if (allowed && !this.wasAllowed) this.lastSent = undefined;
    this.wasAllowed = allowed;
    this.sync();
  }

  dispose(): void {
    this.disposed = true;
    this.debouncer.cancel();
    this.observer.disconnect();
  }
}
