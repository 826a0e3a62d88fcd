import type { CdpClient } from '../cdp/index.ts';
import type { Logger } from '../log.ts';

/** Completed uploads waiting for a chooser: a few are enough (the latest is what people mean). */
const MAX_OFFERED = 16;

/** An uploaded file the page may be given. */
export interface OfferedFile {
  readonly path: string;
  readonly storedName: string;
}

interface OpenChooser {
  readonly client: CdpClient;
  readonly sessionId: string;
  readonly backendNodeId: number;
  readonly multiple: boolean;
}

export interface FileChooserEvents {
  /** A page opened a file chooser and no upload was waiting: ask the participants for one. */
  readonly waiting: () => void;
  /** Files were handed to a page's file input. */
  readonly filled: (files: readonly OfferedFile[]) => void;
}

/**
 * Hands uploads to the remote page's file choosers. Every web page (never the browser's own UI
 * pages) is attached with file chooser interception on, so Chromium never opens its native dialog
 * (there is no window manager on the display to drive one); `Page.fileChooserOpened` is answered
 * with `DOM.setFileInputFiles` on the input that asked. Uploads completed before the click wait
 * in a short list (a single chooser gets the latest, a multiple one all of them); a chooser
 * opened before any upload waits for the next one.
 */
export class FileChooserBridge {
  private offered: OfferedFile[] = [];
  private open: OpenChooser | undefined;
  private filling: Promise<void> = Promise.resolve();

  constructor(
    private readonly events: FileChooserEvents,
    private readonly log: Logger,
  ) {}

  /** Browser-level setup (BrowserLink runs it on every connection). */
  async setup(client: CdpClient): Promise<void> {
    const attached = new Map<string, string>(); // targetId → sessionId ('' while attaching)
    const consider = (info: TargetInfo | undefined) => {
      if (info?.type !== 'page' || attached.has(info.targetId) || !isWebPage(info.url)) return;
      attached.set(info.targetId, '');
      void this.intercept(client, info.targetId).then(
        (sessionId) => {
          if (sessionId) attached.set(info.targetId, sessionId);
          else attached.delete(info.targetId);
        },
        () => attached.delete(info.targetId),
      );
    };
    client.on('Target.targetCreated', (p) => consider(p.targetInfo as TargetInfo));
    client.on('Target.targetInfoChanged', (p) => consider(p.targetInfo as TargetInfo));
    client.on('Target.targetDestroyed', (p) => attached.delete(String(p.targetId)));
    client.on('Target.detachedFromTarget', (p) => {
      for (const [targetId, sessionId] of attached)
        if (sessionId === p.sessionId) attached.delete(targetId);
    });
    client.on('Page.fileChooserOpened', (params, sessionId) => {
      if (!sessionId || typeof params.backendNodeId !== 'number') return;
      this.chooserOpened({
        client,
        sessionId,
        backendNodeId: params.backendNodeId,
        multiple: params.mode === 'selectMultiple',
      });
    });
    // Reports every target there is, and every later one (and its navigations).
    await client.send('Target.setDiscoverTargets', { discover: true });
  }

  /** A completed upload: give it to the waiting chooser, or keep it for the next one. */
  offer(file: OfferedFile, moreComing: boolean): void {
    this.offered.push(file);
    if (this.offered.length > MAX_OFFERED) this.offered.shift();
    // A multiple chooser takes the whole batch: wait for the batch's last file.
    if (this.open && !(this.open.multiple && moreComing)) this.fill(this.open);
  }

  /** Files waiting for a chooser (tests, diagnostics). */
  get waitingFiles(): readonly OfferedFile[] {
    return this.offered;
  }

  /** Whether a page's chooser waits for an upload. */
  get chooserWaiting(): boolean {
    return this.open !== undefined;
  }

  /** Attaches to a web page and turns chooser interception on; resolves with the session. */
  private async intercept(client: CdpClient, targetId: string): Promise<string | undefined> {
    try {
      const { sessionId } = await client.send<{ sessionId: string }>('Target.attachToTarget', {
        targetId,
        flatten: true,
      });
      await client.send('Page.enable', {}, sessionId);
      await client.send('Page.setInterceptFileChooserDialog', { enabled: true }, sessionId);
      return sessionId;
    } catch (err) {
      // A page that closed while we attached: nothing to intercept.
      this.log.debug('file chooser interception not set', { err: String(err) });
      return undefined;
    }
  }

  private chooserOpened(chooser: OpenChooser): void {
    this.open = chooser;
    if (this.offered.length > 0) this.fill(chooser);
    else this.events.waiting();
  }

  private fill(chooser: OpenChooser): void {
    this.filling = this.filling.then(async () => {
      if (this.open !== chooser || this.offered.length === 0) return;
      const files = chooser.multiple ? this.offered : this.offered.slice(-1);
      try {
        await chooser.client.send(
          'DOM.setFileInputFiles',
          { files: files.map((f) => f.path), backendNodeId: chooser.backendNodeId },
          chooser.sessionId,
        );
      } catch (err) {
        // The page navigated away or the input is gone: keep the files for the next chooser.
        this.log.info('file chooser went away before it got its file', { err });
        if (this.open === chooser) this.open = undefined;
        return;
      }
      this.open = undefined;
      this.offered = this.offered.filter((f) => !files.includes(f));
      this.events.filled(files);
    });
  }
}

interface TargetInfo {
  readonly targetId: string;
  readonly type: string;
  readonly url: string;
}

/**
 * Pages of the web (and blank ones a script may fill), never the browser's own UI pages
 * (`chrome://`, DevTools): those are left alone entirely.
 */
function isWebPage(url: string): boolean {
  return /^(https?|file|data|blob):/i.test(url) || url === 'about:blank';
}
