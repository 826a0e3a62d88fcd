import x11, { type XCallback, type XClient, type XEvent } from 'x11';
import { CaptureError } from '../errors.ts';
import type { ExtensionMap } from './extensions.ts';

/** ZPixmap image format for GetImage. */
export const Z_PIXMAP = 2;
const ALL_PLANES = 0xffffffff;

/** Options for opening an X connection. */
export interface XConnectionOptions {
  /** Set up the connection so MIT-SHM can pass a segment fd (default true). */
  readonly shm?: boolean;
  /** Give up connecting after this long (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** Cookie for a display started with `-auth` (else the package reads `XAUTHORITY`). */
  readonly auth?: { readonly name: string; readonly data: string };
}

/**
 * One client connection to an X display, with promise-returning requests. When the server goes
 * away every pending request rejects with `x_closed` instead of hanging.
 */
export class XConnection {
  readonly client: XClient;
  readonly root: number;
  readonly displayName: string;
  readonly #pending = new Set<(err: Error) => void>();
  readonly #closeListeners = new Set<() => void>();
  readonly #errorListeners = new Set<(err: Error) => void>();
  #closed = false;

  private constructor(client: XClient, root: number, displayName: string) {
    this.client = client;
    this.root = root;
    this.displayName = displayName;
    const onGone = (): void => this.#markClosed();
    client.on('end', onGone);
    client.on('close', onGone);
    const stream = (client as unknown as { stream?: NodeJS.EventEmitter }).stream;
    stream?.on('close', onGone);
    client.on('error', (err: Error) => {
      for (const l of this.#errorListeners) l(err);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE' || code === 'ECONNRESET') this.#markClosed();
    });
  }

  /** Connects to `display` (e.g. `:101`). */
  static open(display: string, options: XConnectionOptions = {}): Promise<XConnection> {
    const timeoutMs = options.connectTimeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      let settled = false;
      let client: XClient | undefined;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        try {
          client?.terminate();
        } catch {
          // the socket may not exist yet
        }
        reject(new CaptureError('x_connect_failed', `no answer from X display ${display}`));
      }, timeoutMs);
      try {
        client = x11.createClient(
          {
            display,
            shm: options.shm === false ? false : undefined,
            ...(options.auth ? { auth: { name: options.auth.name, data: options.auth.data } } : {}),
          },
          (err, disp) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            if (err || !disp) {
              reject(
                new CaptureError('x_connect_failed', `cannot connect to X display ${display}`, {
                  cause: err,
                }),
              );
              return;
            }
            const screen = disp.screen[0];
            if (!screen) {
              reject(new CaptureError('x_connect_failed', `X display ${display} has no screen`));
              return;
            }
            resolve(new XConnection(disp.client, screen.root, display));
          },
        );
        // errors before setup completes arrive through the callback; afterwards the instance
        // listener takes over
        client.on('error', () => undefined);
      } catch (err) {
        settled = true;
        clearTimeout(timer);
        reject(
          new CaptureError('x_connect_failed', `cannot connect to ${display}`, { cause: err }),
        );
      }
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Issues a request through the package's callback API and resolves with its reply. X errors
   * reject with `x_request_failed`; a lost connection rejects with `x_closed`.
   */
  request<T>(issue: (cb: XCallback<T>) => void, what = 'request'): Promise<T> {
    if (this.#closed)
      return Promise.reject(new CaptureError('x_closed', `X display ${this.displayName} closed`));
    return new Promise<T>((resolve, reject) => {
      const fail = (err: Error): void => {
        this.#pending.delete(fail);
        reject(err);
      };
      this.#pending.add(fail);
      try {
        issue((err, value) => {
          this.#pending.delete(fail);
          if (err) {
            reject(new CaptureError('x_request_failed', `X ${what} failed: ${err.message}`));
            return true;
          }
          resolve(value);
          return true;
        });
      } catch (err) {
        this.#pending.delete(fail);
        reject(new CaptureError('x_request_failed', `X ${what} failed`, { cause: err }));
      }
    });
  }

  /** Loads an X extension; rejects with `x_extension_missing` when the server lacks it. */
  extension<K extends keyof ExtensionMap>(name: K): Promise<ExtensionMap[K]> {
    return this.request<ExtensionMap[K]>((cb) => {
      this.client.require(name, ((err: Error | null, ext: ExtensionMap[K]) => {
        cb(err, ext);
      }) as never);
    }, `extension ${name}`).catch((err: unknown) => {
      if (err instanceof CaptureError && err.code === 'x_request_failed')
        throw new CaptureError('x_extension_missing', err.message);
      throw err;
    });
  }

  /** Current root window size (follows RANDR changes). */
  async rootSize(): Promise<{ width: number; height: number }> {
    const g = await this.request<{ width: number; height: number }>(
      (cb) => this.client.GetGeometry(this.root, cb),
      'GetGeometry',
    );
    return { width: g.width, height: g.height };
  }

  /** Core GetImage (ZPixmap, 32 bpp BGRX rows of `width × 4` bytes). */
  async getImage(x: number, y: number, width: number, height: number): Promise<Buffer> {
    const img = await this.request<{ data: Buffer }>(
      (cb) => this.client.GetImage(Z_PIXMAP, this.root, x, y, width, height, ALL_PLANES, cb),
      'GetImage',
    );
    return img.data;
  }

  /** Round trip: every request issued before has been processed when this resolves. */
  sync(): Promise<void> {
    return this.request<unknown>((cb) => this.client.GetInputFocus(cb), 'sync').then(
      () => undefined,
    );
  }

  /** Subscribes to every event on this connection. */
  onEvent(listener: (ev: XEvent) => void): () => void {
    const wrapped = (ev: XEvent): void => {
      try {
        listener(ev);
      } catch {
        // a faulty listener must not stop event parsing
      }
    };
    this.client.on('event', wrapped);
    return () => this.client.off('event', wrapped);
  }

  /** Errors the server reports for requests issued without a callback. */
  onError(listener: (err: Error) => void): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  /** Called once when the connection is lost or closed. */
  onClose(listener: () => void): () => void {
    if (this.#closed) {
      queueMicrotask(listener);
      return () => undefined;
    }
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /** Flushes pending requests and closes the socket. Never throws. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        try {
          this.client.terminate();
        } catch {
          // already gone
        }
        resolve();
      }, 1000);
      try {
        this.client.close(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
    this.#markClosed();
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    const err = new CaptureError('x_closed', `X display ${this.displayName} closed`);
    for (const fail of [...this.#pending]) fail(err);
    this.#pending.clear();
    for (const l of [...this.#closeListeners]) {
      try {
        l();
      } catch {
        // ignore
      }
    }
    this.#closeListeners.clear();
  }
}
