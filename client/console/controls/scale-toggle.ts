import type { BrowserPaneClient, ScaleMode } from '../../src/index.ts';
import { h } from '../dom.ts';

/** Where the person's choice is kept, so the next live view opens the same way. */
const STORAGE_KEY = 'bp.scaleMode';

/**
 * The toolbar's picture-size toggle: "Fit" shrinks the remote picture to the window (smoothly,
 * so text stays readable); "1:1" shows it at its own size, pixel for pixel, and the live view
 * scrolls. The choice is remembered in this browser.
 */
export class ScaleToggle {
  readonly element: HTMLButtonElement;
  private client: BrowserPaneClient | undefined;
  private mode: ScaleMode = readMode();

  constructor() {
    this.element = h<'button'>('button.ghost', {
      'data-testid': 'scale-mode',
      onclick: () => this.toggle(),
    });
    this.render();
  }

  bind(client: BrowserPaneClient): void {
    this.client = client;
    client.setScaleMode(this.mode);
    this.render();
  }

  private toggle(): void {
    this.mode = this.mode === 'fit' ? 'actual' : 'fit';
    try {
      localStorage.setItem(STORAGE_KEY, this.mode);
    } catch {
      // storage off (private mode, policy): the choice lasts for this page only
    }
    this.client?.setScaleMode(this.mode);
    this.render();
  }

  private render(): void {
    const fit = this.mode === 'fit';
    this.element.textContent = fit ? 'Fit' : '1:1';
    this.element.title = fit
      ? 'The picture is shrunk to fit this window. Click to show it at actual size (1:1) and scroll'
      : 'The picture is at actual size (1:1); scroll to see all of it. Click to fit it to this window';
    this.element.setAttribute('aria-pressed', fit ? 'false' : 'true');
  }
}

function readMode(): ScaleMode {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'actual' ? 'actual' : 'fit';
  } catch {
    return 'fit';
  }
}
