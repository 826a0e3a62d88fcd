import type { MessageOf } from '@browserpane/protocol';

interface Shape {
  readonly image: HTMLCanvasElement;
  readonly css: string;
  readonly hotX: number;
  readonly hotY: number;
}

/**
 * The remote cursor, drawn locally. While the local pointer is over the picture and this client
 * controls, the remote shape becomes the local CSS cursor (no added latency); otherwise the shape
 * is drawn on an overlay at the position the host reports.
 */
export class CursorLayer {
  private readonly shapes = new Map<number, Shape>();
  private current: Shape | undefined;
  private position = { x: 0, y: 0, visible: false };
  private localInside = false;
  private controlling = false;

  constructor(
    private readonly overlay: HTMLCanvasElement,
    private readonly pointerTarget: HTMLElement,
  ) {}

  shape(m: MessageOf<'cursorShape'>): void {
    const image = document.createElement('canvas');
    image.width = Math.max(1, m.width);
    image.height = Math.max(1, m.height);
    const ctx = image.getContext('2d');
    if (ctx && m.width > 0 && m.height > 0)
      ctx.putImageData(new ImageData(new Uint8ClampedArray(m.rgba), m.width, m.height), 0, 0);
    const usable = m.width > 0 && m.width <= 128 && m.height <= 128;
    const css = usable
      ? `url(${image.toDataURL('image/png')}) ${m.hotX} ${m.hotY}, default`
      : 'default';
    const shape = { image, css, hotX: m.hotX, hotY: m.hotY };
    this.shapes.set(m.serial, shape);
    this.use(shape);
  }

  cached(serial: number): void {
    const shape = this.shapes.get(serial);
    if (shape) this.use(shape);
  }

  moved(m: MessageOf<'cursorPosition'>): void {
    this.position = { x: m.x, y: m.y, visible: m.visible };
    this.draw();
  }

  setLocal(inside: boolean, controlling: boolean): void {
    this.localInside = inside;
    this.controlling = controlling;
    this.draw();
  }

  resize(width: number, height: number): void {
    this.overlay.width = width;
    this.overlay.height = height;
    this.draw();
  }

  private use(shape: Shape): void {
    this.current = shape;
    this.pointerTarget.style.cursor = this.controlling ? shape.css : 'default';
    this.draw();
  }

  private draw(): void {
    const ctx = this.overlay.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    this.pointerTarget.style.cursor =
      this.controlling && this.current ? this.current.css : 'default';
    const local = this.localInside && this.controlling;
    if (local || !this.position.visible || !this.current) return;
    ctx.drawImage(
      this.current.image,
      this.position.x - this.current.hotX,
      this.position.y - this.current.hotY,
    );
  }
}
