import type { MessageOf } from '@browserpane/protocol';

/** The container in device pixels, as `Stage.viewport()` reports it. */
export interface Viewport {
  readonly width: number;
  readonly height: number;
  readonly dpr: number;
}

const U16 = 65535;

/**
 * The `resizeRequest` for a container size: whole device pixels within the wire's u16 range. The
 * host fits it to what the display can do and answers with the size it applied.
 */
export function resizeRequestFor(v: Viewport): MessageOf<'resizeRequest'> {
  return {
    type: 'resizeRequest',
    width: edge(v.width),
    height: edge(v.height),
    devicePixelRatioPercent: Math.max(1, Math.min(U16, Math.round((v.dpr || 1) * 100))),
  };
}

function edge(n: number): number {
  return Number.isFinite(n) ? Math.max(1, Math.min(U16, Math.round(n))) : 1;
}

/** Whether two requests ask for the same thing (so the second need not be sent). */
export function sameRequest(
  a: MessageOf<'resizeRequest'> | undefined,
  b: MessageOf<'resizeRequest'>,
): boolean {
  return (
    a !== undefined &&
    a.width === b.width &&
    a.height === b.height &&
    a.devicePixelRatioPercent === b.devicePixelRatioPercent
  );
}

/**
 * Calls `fn` once `waitMs` have passed without another `schedule()`: a window being dragged
 * larger produces one request, for its final size.
 */
export class Debouncer {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly waitMs: number,
    private readonly fn: () => void,
  ) {}

  schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fn();
    }, this.waitMs);
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
