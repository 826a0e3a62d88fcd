import { CdpClient } from '../cdp/cdp-client.ts';
import { PageSessions } from '../cdp/page-targets.ts';

/**
 * Inserts text into the page the user sees through CDP `Input.insertText` (what an IME commit
 * does: `beforeinput`/`input` events, no key events). Connects lazily to the browser endpoint
 * and reconnects when the browser restarted (the endpoint URL changes).
 *
 * Why not XTEST with a temporary keysym mapping (remap a spare keycode to the character, press
 * it, restore): Chromium applies keymap changes asynchronously to the key events that follow, so
 * back-to-back remaps type wrong characters or none (tried on this Xvfb + Chromium: with no pause
 * nothing arrived; with 30 ms pauses around each remap one character in 60 was still wrong), and
 * every character costs two round trips plus those pauses. `Input.insertText` inserts any Unicode
 * (emoji with modifiers, flags, combining marks) exactly and at once, in one `input` event as an
 * IME commit does. Its limit: it reaches web content only, so text without a key typed while
 * Chromium's own address bar has focus lands in the page's focused field instead.
 */
export class CdpTextInserter {
  readonly #endpoint: () => string;
  #client: CdpClient | undefined;
  #pages: PageSessions | undefined;
  #url: string | undefined;
  #connecting: Promise<void> | undefined;

  /** `endpoint` returns the current browser WebSocket URL (e.g. `runtime.cdpWebSocketUrl()`). */
  constructor(endpoint: () => string) {
    this.#endpoint = endpoint;
  }

  /** Inserts `text` at the focus of the visible page; resolves false when there is no page. */
  async insertText(text: string): Promise<boolean> {
    await this.#connect();
    const session = await this.#pages?.activePage();
    if (!session) return false;
    await session.send('Input.insertText', { text }, 5000);
    return true;
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#pages = undefined;
    await client?.close();
  }

  async #connect(): Promise<void> {
    const url = this.#endpoint();
    if (this.#client && !this.#client.closed && url === this.#url) return;
    if (this.#connecting) return this.#connecting;
    this.#connecting = (async () => {
      await this.#client?.close().catch(() => undefined);
      const client = await CdpClient.connect(url);
      this.#client = client;
      this.#pages = new PageSessions(client);
      this.#url = url;
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }
}
