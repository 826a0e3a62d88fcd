/** Where decoded tiles land: a canvas in the browser, a plain RGBA buffer in tests. */
export interface PixelSurface {
  readonly width: number;
  readonly height: number;
  /** New size; contents become opaque black. */
  resize(width: number, height: number): void;
  fill(x: number, y: number, width: number, height: number, rgba: number): void;
  put(
    x: number,
    y: number,
    width: number,
    height: number,
    rgba: Uint8ClampedArray<ArrayBuffer>,
  ): void;
  copy(srcX: number, srcY: number, width: number, height: number, dstX: number, dstY: number): void;
}

/** An in-memory surface (row-major RGBA). */
export class MemorySurface implements PixelSurface {
  width = 0;
  height = 0;
  pixels = new Uint8ClampedArray(0);

  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.pixels = new Uint8ClampedArray(width * height * 4);
    for (let i = 3; i < this.pixels.length; i += 4) this.pixels[i] = 255;
  }

  fill(x: number, y: number, w: number, h: number, rgba: number): void {
    const r = rgba >>> 24;
    const g = (rgba >>> 16) & 0xff;
    const b = (rgba >>> 8) & 0xff;
    const a = rgba & 0xff;
    for (let row = y; row < Math.min(y + h, this.height); row++) {
      for (let col = x; col < Math.min(x + w, this.width); col++) {
        const at = (row * this.width + col) * 4;
        this.pixels[at] = r;
        this.pixels[at + 1] = g;
        this.pixels[at + 2] = b;
        this.pixels[at + 3] = a;
      }
    }
  }

  put(x: number, y: number, w: number, h: number, rgba: Uint8ClampedArray): void {
    for (let row = 0; row < h; row++) {
      const dst = ((y + row) * this.width + x) * 4;
      this.pixels.set(rgba.subarray(row * w * 4, (row + 1) * w * 4), dst);
    }
  }

  copy(sx: number, sy: number, w: number, h: number, dx: number, dy: number): void {
    const src = new Uint8ClampedArray(w * h * 4);
    for (let row = 0; row < h; row++) {
      const from = ((sy + row) * this.width + sx) * 4;
      src.set(this.pixels.subarray(from, from + w * 4), row * w * 4);
    }
    this.put(dx, dy, w, h, src);
  }
}

/** A 2D canvas surface (exact pixels: putImageData, self drawImage at 1:1, opaque fills). */
export class CanvasSurface implements PixelSurface {
  private readonly ctx: CanvasRenderingContext2D;

  constructor(readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d', { alpha: false, desynchronized: true });
    if (!ctx) throw new Error('2D canvas unavailable');
    this.ctx = ctx;
    this.ctx.imageSmoothingEnabled = false;
  }

  get width(): number {
    return this.canvas.width;
  }
  get height(): number {
    return this.canvas.height;
  }

  resize(width: number, height: number): void {
    this.canvas.width = width;
    this.canvas.height = height;
    this.ctx.imageSmoothingEnabled = false;
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, width, height);
  }

  fill(x: number, y: number, w: number, h: number, rgba: number): void {
    const r = rgba >>> 24;
    const g = (rgba >>> 16) & 0xff;
    const b = (rgba >>> 8) & 0xff;
    this.ctx.fillStyle = `rgb(${r},${g},${b})`;
    this.ctx.fillRect(x, y, w, h);
  }

  put(x: number, y: number, w: number, h: number, rgba: Uint8ClampedArray<ArrayBuffer>): void {
    this.ctx.putImageData(new ImageData(rgba, w, h), x, y);
  }

  copy(sx: number, sy: number, w: number, h: number, dx: number, dy: number): void {
    this.ctx.drawImage(this.canvas, sx, sy, w, h, dx, dy, w, h);
  }
}
