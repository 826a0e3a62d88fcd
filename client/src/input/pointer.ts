import type { Message } from '@browserpane/protocol';
import { displayScale, toRemotePixels } from './coordinates.ts';
import { modifierMask } from './modifiers.ts';

const BUTTONS = ['left', 'middle', 'right', 'back', 'forward'] as const;
/** At most one move per this many ms (the host repaints at most every 16 ms anyway). */
const MOVE_INTERVAL_MS = 8;

export interface PointerHooks {
  send(m: Message): void;
  enabled(): boolean;
  /** The local pointer entered (true) or left (false) the picture. */
  hover?(inside: boolean): void;
}

/** Pointer, button and wheel capture over the picture, in remote display pixels. */
export function attachPointer(
  surface: HTMLElement,
  canvas: HTMLCanvasElement,
  hooks: PointerHooks,
): () => void {
  let lastMove = 0;
  let pendingMove: { x: number; y: number } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wheelX = 0;
  let wheelY = 0;

  const flushMove = () => {
    timer = undefined;
    if (!pendingMove) return;
    hooks.send({ type: 'pointerMove', ...pendingMove });
    pendingMove = undefined;
    lastMove = performance.now();
  };
  const onMove = (e: PointerEvent) => {
    const p = toRemotePixels(canvas, e.clientX, e.clientY);
    hooks.hover?.(p.inside);
    if (!hooks.enabled()) return;
    pendingMove = { x: p.x, y: p.y };
    const wait = MOVE_INTERVAL_MS - (performance.now() - lastMove);
    if (wait <= 0) flushMove();
    else timer ??= setTimeout(flushMove, wait);
  };
  const onButton = (down: boolean) => (e: PointerEvent) => {
    if (!hooks.enabled()) return;
    const button = BUTTONS[e.button];
    if (!button) return;
    e.preventDefault();
    if (down) surface.setPointerCapture?.(e.pointerId);
    if (down) surface.focus({ preventScroll: true });
    flushMove();
    const p = toRemotePixels(canvas, e.clientX, e.clientY);
    hooks.send({ type: 'pointerButton', button, down, x: p.x, y: p.y, modifiers: modifierMask(e) });
  };
  const onWheel = (e: WheelEvent) => {
    if (!hooks.enabled()) return;
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? canvas.clientHeight : 1;
    const scale = displayScale(canvas);
    wheelX += e.deltaX * unit * scale;
    wheelY += e.deltaY * unit * scale;
    const dx = clamp16(Math.trunc(wheelX));
    const dy = clamp16(Math.trunc(wheelY));
    if (dx === 0 && dy === 0) return;
    wheelX -= dx;
    wheelY -= dy;
    const p = toRemotePixels(canvas, e.clientX, e.clientY);
    hooks.send({
      type: 'wheel',
      x: p.x,
      y: p.y,
      deltaX: dx,
      deltaY: dy,
      modifiers: modifierMask(e),
    });
  };
  const onLeave = () => hooks.hover?.(false);
  const onContext = (e: Event) => e.preventDefault();
  const down = onButton(true);
  const up = onButton(false);
  surface.addEventListener('pointermove', onMove);
  surface.addEventListener('pointerdown', down);
  surface.addEventListener('pointerup', up);
  surface.addEventListener('pointerleave', onLeave);
  surface.addEventListener('wheel', onWheel, { passive: false });
  surface.addEventListener('contextmenu', onContext);
  return () => {
    if (timer) clearTimeout(timer);
    surface.removeEventListener('pointermove', onMove);
    surface.removeEventListener('pointerdown', down);
    surface.removeEventListener('pointerup', up);
    surface.removeEventListener('pointerleave', onLeave);
    surface.removeEventListener('wheel', onWheel);
    surface.removeEventListener('contextmenu', onContext);
  };
}

function clamp16(v: number): number {
  return Math.max(-32768, Math.min(32767, v));
}
