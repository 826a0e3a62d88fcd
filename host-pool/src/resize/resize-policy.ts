/** The display sizes a resize request may produce. */
export interface SizeLimits {
  readonly minWidth: number;
  readonly minHeight: number;
  readonly maxWidth: number;
  readonly maxHeight: number;
}

/**
 * Defaults: nothing smaller than a small phone in landscape (pages lay out badly below that), and
 * nothing larger than the framebuffer the runtime starts Xvfb with (RANDR cannot grow past it).
 */
export const DEFAULT_SIZE_LIMITS: SizeLimits = {
  minWidth: 320,
  minHeight: 200,
  maxWidth: 3840,
  maxHeight: 2160,
};

/** A request fitted to the limits: what to ask RANDR for and whether that differs from the ask. */
export interface FittedSize {
  readonly width: number;
  readonly height: number;
  readonly clamped: boolean;
}

/**
 * Fits a requested size to `limits`, rounded down to even numbers (H.264 regions and the tile
 * grid want even edges, and a one-pixel difference is invisible in a letterboxed client).
 * Non-finite or non-positive input becomes the minimum.
 */
export function fitSize(
  requested: { width: number; height: number },
  limits: SizeLimits = DEFAULT_SIZE_LIMITS,
): FittedSize {
  const width = fitEdge(requested.width, limits.minWidth, limits.maxWidth);
  const height = fitEdge(requested.height, limits.minHeight, limits.maxHeight);
  return {
    width,
    height,
    clamped: width !== requested.width || height !== requested.height,
  };
}

function fitEdge(value: number, min: number, max: number): number {
  const v = Number.isFinite(value) && value > 0 ? Math.floor(value) : min;
  const clamped = Math.max(min, Math.min(max, v));
  return clamped - (clamped % 2);
}

/** The `resizeAck` status for the requester once `applied` is on screen. */
export function ackStatus(
  fitted: FittedSize,
  applied: { width: number; height: number },
): 'applied' | 'clamped' {
  return !fitted.clamped && applied.width === fitted.width && applied.height === fitted.height
    ? 'applied'
    : 'clamped';
}
