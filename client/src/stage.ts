/**
 * How the picture meets a container of another size: `fit` shrinks it to fit (never enlarges
 * it), `actual` shows it at one remote pixel per device pixel and the container scrolls.
 */
export type ScaleMode = 'fit' | 'actual';

/**
 * The DOM a client puts in its container: the picture canvas (letterboxed to fit, or at actual
 * size with scrolling), a cursor overlay of the same box, and a transparent text area on top that
 * takes focus, keys, IME and pointer events. Works in any `<div>`: it only fills its container.
 */
export class Stage {
  readonly root: HTMLDivElement;
  readonly screen: HTMLCanvasElement;
  readonly cursor: HTMLCanvasElement;
  readonly input: HTMLTextAreaElement;
  private readonly observer: ResizeObserver;
  private readonly layers: HTMLCanvasElement[] = [];
  private remote = { width: 0, height: 0 };
  private mode: ScaleMode = 'fit';

  constructor(readonly container: HTMLElement) {
    this.root = el('div', 'bp-stage', {
      position: 'relative',
      width: '100%',
      height: '100%',
      overflow: 'hidden',
      background: '#0b0d10',
      userSelect: 'none',
    });
    const layer = { position: 'absolute', left: '0', top: '0' };
    this.screen = el('canvas', 'bp-screen', { ...layer });
    this.cursor = el('canvas', 'bp-cursor', { ...layer, pointerEvents: 'none' });
    this.input = el('textarea', 'bp-input', {
      ...layer,
      opacity: '0',
      resize: 'none',
      border: '0',
      padding: '0',
      margin: '0',
      outline: 'none',
      background: 'transparent',
      color: 'transparent',
      caretColor: 'transparent',
      overflow: 'hidden',
      whiteSpace: 'nowrap',
    });
    this.input.setAttribute('aria-label', 'Remote browser');
    this.input.setAttribute('autocomplete', 'off');
    this.input.setAttribute('autocapitalize', 'off');
    this.input.spellcheck = false;
    this.root.append(this.screen, this.cursor, this.input);
    container.append(this.root);
    this.observer = new ResizeObserver(() => this.layout());
    this.observer.observe(this.root);
  }

  /** The container's size in device pixels (what a resize request asks for). */
  viewport(): { width: number; height: number; dpr: number } {
    const dpr = globalThis.devicePixelRatio || 1;
    const rect = this.root.getBoundingClientRect();
    return {
      width: Math.max(1, Math.round(rect.width * dpr)),
      height: Math.max(1, Math.round(rect.height * dpr)),
      dpr,
    };
  }

  /**
   * Adds a canvas above the picture and below the cursor, laid out with it (video draws here).
   * Its pixel size is the caller's to set (the remote display size).
   */
  addLayer(className: string): HTMLCanvasElement {
    const layer = el('canvas', className, {
      position: 'absolute',
      left: '0',
      top: '0',
      pointerEvents: 'none',
    });
    this.root.insertBefore(layer, this.cursor);
    this.layers.push(layer);
    this.layout();
    return layer;
  }

  setRemoteSize(width: number, height: number): void {
    this.remote = { width, height };
    this.layout();
  }

  get scaleMode(): ScaleMode {
    return this.mode;
  }

  setScaleMode(mode: ScaleMode): void {
    this.mode = mode;
    this.root.style.overflow = mode === 'actual' ? 'auto' : 'hidden';
    this.layout();
  }

  /**
   * Places the remote picture in the container, centred: shrunk to fit (`fit`) or at one remote
   * pixel per device pixel (`actual`, scrolling when larger), never enlarged. At one pixel per
   * pixel it sits on whole device pixels and is drawn pixel-exact; shrunk, it is filtered
   * smoothly, so thin strokes of small text blend instead of vanishing.
   */
  layout(): void {
    const { width, height } = this.remote;
    if (!width || !height) return;
    const dpr = globalThis.devicePixelRatio || 1;
    const exact = 1 / dpr;
    const boxWidth = this.root.clientWidth;
    const boxHeight = this.root.clientHeight;
    const scale =
      this.mode === 'actual' ? exact : Math.min(boxWidth / width, boxHeight / height, exact);
    const w = width * scale;
    const h = height * scale;
    const onPixel = (v: number) => Math.round(Math.max(0, v) * dpr) / dpr;
    const left = onPixel((boxWidth - w) / 2);
    const top = onPixel((boxHeight - h) / 2);
    const rendering = scale < exact * 0.999 ? 'auto' : 'pixelated';
    for (const node of [this.screen, ...this.layers, this.cursor, this.input]) {
      node.style.width = `${w}px`;
      node.style.height = `${h}px`;
      node.style.left = `${left}px`;
      node.style.top = `${top}px`;
    }
    for (const node of [this.screen, ...this.layers]) node.style.imageRendering = rendering;
  }

  destroy(): void {
    this.observer.disconnect();
    this.root.remove();
  }
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  style: Record<string, string>,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  Object.assign(node.style, style);
  return node;
}
