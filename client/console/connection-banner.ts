import type { ConnectionState } from '../src/index.ts';
import { clear, h } from './dom.ts';

/**
 * What the person sees while the live view is not connected: "Reconnecting… (attempt n of m)"
 * with a countdown and "Try now", or, once the client gave up, why and a Retry button. Hidden
 * while live. The frozen last picture stays visible (dimmed) underneath.
 */
export class ConnectionBanner {
  readonly element = h('div.connection-banner', {
    role: 'status',
    'aria-live': 'polite',
    'data-testid': 'connection-banner',
    hidden: true,
  });
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly retry: () => void) {}

  show(state: ConnectionState): void {
    clearInterval(this.ticker);
    clear(this.element);
    this.element.dataset.phase = state.phase;
    if (state.phase === 'reconnecting') {
      const line = h('span.connection-text');
      const render = () => {
        const wait = Math.ceil((state.nextAttemptAt - Date.now()) / 1000);
        line.textContent =
          `Connection lost — reconnecting… (attempt ${state.attempt} of ${state.maxAttempts}` +
          `${wait > 0 ? `, next try in ${wait} s` : ''}). Keys you type now are not sent.`;
      };
      render();
      this.ticker = setInterval(render, 500);
      this.element.append(line, h('button', { onclick: () => this.retry() }, 'Try now'));
      this.element.hidden = false;
    } else if (state.phase === 'gave_up') {
      this.element.append(
        h('span.connection-text', {
          text: `Could not reconnect after ${state.attempts} attempts (${state.reason}).`,
        }),
        h('button.primary', { onclick: () => this.retry() }, 'Retry'),
      );
      this.element.hidden = false;
    } else this.element.hidden = true;
  }

  dispose(): void {
    clearInterval(this.ticker);
  }
}
