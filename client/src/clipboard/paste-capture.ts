import type { ClipboardData } from './clipboard-data.ts';

/** How long to wait for the `paste` event a paste chord should produce before sending the keys. */
const PASTE_EVENT_WAIT_MS = 300;

export interface PasteCaptureOptions {
  /** The live view root (an ancestor of `input`): its capture listener runs before the keyboard's. */
  readonly root: HTMLElement;
  /** The focused text area that receives keys and `paste` events. */
  readonly input: HTMLTextAreaElement;
  /** Whether pastes go to the remote clipboard now (capability granted, driving). */
  readonly enabled: () => boolean;
  /**
   * A paste happened with `data` (from the event's clipboardData, no permission prompt). Resolve
   * `true` to let the held key chord through to the remote browser, `false` to drop it.
   */
  readonly onPaste: (data: ClipboardData) => Promise<boolean>;
}

/** Ctrl/Cmd+V (with or without Shift), and Shift+Insert. */
export function isPasteChord(e: KeyboardEvent): boolean {
  if (e.altKey) return false;
  if ((e.ctrlKey || e.metaKey) && (e.code === 'KeyV' || e.key === 'v' || e.key === 'V'))
    return true;
  return e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === 'Insert';
}

/**
 * Makes a paste chord carry the local clipboard: the chord's keydown is held back from the
 * keyboard capture, the browser's own `paste` event (which fires without a permission prompt)
 * delivers the clipboard, the feature sends it to the remote clipboard, and only then does the
 * keydown continue to the keyboard capture — so the remote page pastes the new content. The
 * keyboard capture itself is not changed: the held event is re-dispatched to it.
 */
export function attachPasteCapture(options: PasteCaptureOptions): () => void {
  const { root, input } = options;
  let held: KeyboardEventInit | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let forwarding = false;

  const release = (forward: boolean) => {
    clearTimeout(timer);
    const init = held;
    held = undefined;
    if (!forward || !init) return;
    forwarding = true;
    try {
      input.dispatchEvent(new KeyboardEvent('keydown', init));
    } finally {
      forwarding = false;
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (forwarding || e.target !== input || !options.enabled() || !isPasteChord(e)) return;
    if (held) release(true); // a second chord before the first one's paste: keep order
    // Stop it reaching the keyboard capture, but keep its default action: that is the paste.
    e.stopPropagation();
    held = {
      key: e.key,
      code: e.code,
      ctrlKey: e.ctrlKey,
      shiftKey: e.shiftKey,
      altKey: e.altKey,
      metaKey: e.metaKey,
      repeat: e.repeat,
      bubbles: true,
      cancelable: true,
    };
    timer = setTimeout(() => release(true), PASTE_EVENT_WAIT_MS);
  };

  const onPaste = (e: ClipboardEvent) => {
    // Never let the text land in the capture text area.
    e.preventDefault();
    if (!options.enabled()) return release(true);
    const hadChord = held !== undefined;
    clearTimeout(timer);
    void readEvent(e)
      .then(
        (data) => options.onPaste(data),
        () => true,
      )
      .then(
        (forward) => {
          if (hadChord) release(forward);
        },
        () => {
          if (hadChord) release(true);
        },
      );
  };

  root.addEventListener('keydown', onKeyDown, { capture: true });
  input.addEventListener('paste', onPaste);
  return () => {
    clearTimeout(timer);
    root.removeEventListener('keydown', onKeyDown, { capture: true });
    input.removeEventListener('paste', onPaste);
  };
}

/** What a paste event offers: a PNG image if there is one, else HTML and/or text. */
async function readEvent(e: ClipboardEvent): Promise<ClipboardData> {
  const dt = e.clipboardData;
  if (!dt) return { text: '' };
  const text = dt.getData('text/plain');
  const html = dt.getData('text/html');
  const image = [...dt.files].find((f) => f.type === 'image/png');
  if (image && !text) return { text: '', png: new Uint8Array(await image.arrayBuffer()) };
  return html ? { text, html } : { text };
}
