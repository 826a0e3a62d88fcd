import { CAP, type MessageOf } from '@browserpane/protocol';
import type { Participant } from '../relay/participant.ts';
import type { FeatureContext, SessionFeature } from '../sessions/feature.ts';
import { ackStatus, DEFAULT_SIZE_LIMITS, fitSize, type SizeLimits } from './resize-policy.ts';

export interface ResizeFeatureOptions {
  readonly limits?: SizeLimits;
}

/** What the resize feature did in one session (tests, diagnostics). */
export interface ResizeStats {
  applied: number;
  clamped: number;
  denied: number;
  failed: number;
}

/**
 * Container-driven resize: the resize owner's `resizeRequest` becomes a RANDR mode on the
 * session's Xvfb and Chromium's window is refitted (`SessionRuntime.setDisplaySize`); the frame
 * source notices the new screen size and sends the new grid by itself. Requests from anyone else
 * are answered `denied` and never applied; the other participants learn of a resize through
 * `resizeAck` status `changedByOther`.
 */
export function resizeFeature(options: ResizeFeatureOptions = {}): SessionFeature {
  return {
    name: 'resize',
    // RANDR on Xvfb and CDP window bounds are all pure protocol: every host can.
    capabilities: async () => CAP.resize,
    async attach(ctx) {
      const controller = new ResizeController(ctx, options.limits ?? DEFAULT_SIZE_LIMITS);
      return async () => controller.stop();
    },
  };
}

interface Pending {
  readonly width: number;
  readonly height: number;
  readonly from: Participant;
}

/** Applies resize requests one at a time; a burst collapses to its latest request. */
export class ResizeController {
  readonly stats: ResizeStats = { applied: 0, clamped: 0, denied: 0, failed: 0 };
  private pending: Pending | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly ctx: FeatureContext,
    private readonly limits: SizeLimits,
  ) {
    ctx.hub.handle('resizeRequest', (m, p) => this.request(m as MessageOf<'resizeRequest'>, p));
  }

  stop(): void {
    this.stopped = true;
    this.pending = undefined;
  }

  private request(m: MessageOf<'resizeRequest'>, p: Participant): void {
    if (this.stopped) return;
    const enabled = this.ctx.options.capabilities.resize !== false;
    if (!enabled || !this.ctx.hub.mayResize(p)) {
      // Collaborators control the page but not the display: one size, the owner's.
      p.refuse(m.type);
      this.stats.denied++;
      const size = this.ctx.runtime.size;
      p.peer.send({ type: 'resizeAck', width: size.width, height: size.height, status: 'denied' });
      return;
    }
    this.pending = { width: m.width, height: m.height, from: p };
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.pending && !this.stopped) {
        const next = this.pending;
        this.pending = undefined;
        await this.apply(next);
      }
    } finally {
      this.running = false;
    }
  }

  private async apply(req: Pending): Promise<void> {
    const fitted = fitSize(req, this.limits);
    const before = this.ctx.runtime.size;
    if (fitted.width === before.width && fitted.height === before.height) {
      // Already that size: refitting the browser window would only disturb it (an open
      // omnibox loses its popup and focus), so answer without touching anything.
      this.stats[ackStatus(fitted, before)]++;
      req.from.peer.send({ type: 'resizeAck', ...before, status: ackStatus(fitted, before) });
      return;
    }
    let applied: { width: number; height: number };
    try {
      applied = await this.ctx.runtime.setDisplaySize(fitted.width, fitted.height);
    } catch (err) {
      this.stats.failed++;
      this.ctx.log.warn('resize failed', { width: fitted.width, height: fitted.height, err });
      const size = this.ctx.runtime.size;
      req.from.peer.send({
        type: 'resizeAck',
        width: size.width,
        height: size.height,
        status: 'denied',
      });
      return;
    }
    if (this.stopped) return;
    const status = ackStatus(fitted, applied);
    this.stats[status]++;
    req.from.peer.send({ type: 'resizeAck', ...applied, status });
    if (applied.width === before.width && applied.height === before.height) return;
    for (const other of this.ctx.hub.list()) {
      if (other === req.from) continue;
      other.peer.send({ type: 'resizeAck', ...applied, status: 'changedByOther' });
    }
  }
}
