/**
 * Maps a viewport point to remote display pixels. The screen canvas is laid out at exactly the
 * displayed size (letterboxed), so its bounding box is the picture: CSS scaling and
 * devicePixelRatio both fold into `canvas.width / rect.width`.
 */
export function toRemotePixels(
  canvas: HTMLCanvasElement,
  clientX: number,
  clientY: number,
): { x: number; y: number; inside: boolean } {
  const rect = canvas.getBoundingClientRect();
  const sx = rect.width > 0 ? canvas.width / rect.width : 1;
  const sy = rect.height > 0 ? canvas.height / rect.height : 1;
  const rawX = (clientX - rect.left) * sx;
  const rawY = (clientY - rect.top) * sy;
  const inside = rawX >= 0 && rawY >= 0 && rawX < canvas.width && rawY < canvas.height;
  const x = Math.min(Math.max(0, Math.floor(rawX)), Math.max(0, canvas.width - 1));
  const y = Math.min(Math.max(0, Math.floor(rawY)), Math.max(0, canvas.height - 1));
  return { x, y, inside };
}

/** Device pixels per CSS pixel of the displayed picture (for wheel deltas). */
export function displayScale(canvas: HTMLCanvasElement): number {
  const rect = canvas.getBoundingClientRect();
  return rect.width > 0 ? canvas.width / rect.width : 1;
}
