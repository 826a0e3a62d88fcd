/**
 * The recorder's connection to the host relay: WebTransport (the library's Node transport, the
 * relay certificate pinned when the ticket says so), `clientHello` as `recorder` asking only for
 * what a viewer receives (picture, cursor, and audio when recorded), then every decoded message to
 * the handler. It never sends input: the relay would refuse it, and nothing here produces it.
 */

import { loadWebTransport } from '@browserpane/host-pool/relay/webtransport-lib';
import {
  CAP,
  closeCodeName,
  createFrameDecoder,
  decodeFrameFrom,
  encodeMessage,
  type Message,
  type MessageOf,
  PROTOCOL_VERSION,
} from '@browserpane/protocol';

export interface RelayTicket {
  readonly relay_url: string;
  readonly session_id: string;
  readonly token: string;
  readonly cert_sha256: string | null;
}

interface Transport {
  ready: Promise<void>;
  closed: Promise<{ closeCode?: number; reason?: string } | undefined>;
  createBidirectionalStream(): Promise<{
    readable: ReadableStream<Uint8Array>;
    writable: WritableStream<Uint8Array>;
  }>;
  close(info?: unknown): void;
}

export class RelayRefused extends Error {
  override readonly name = 'RelayRefused';
}

export class RelayLink {
  bytesIn = 0;
  /** Set once the connection ended. */
  closeInfo: { code: number; reason: string } | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;
  private onClosed!: (info: { code: number; reason: string }) => void;
  private handler: (m: Message) => void = () => {};
  private readonly buffered: Message[] = [];
  private finished = false;

  private constructor(
    private readonly transport: Transport,
    private readonly writer: WritableStreamDefaultWriter<Uint8Array>,
  ) {
    this.closed = new Promise((resolve) => {
      this.onClosed = resolve;
    });
    transport.closed.then(
      (info) => this.finish(info?.closeCode ?? 0, info?.reason ?? 'closed'),
      (err) => this.finish(0, String(err)),
    );
  }

  /** Connects and completes the handshake; throws {@link RelayRefused} on a `reject`. */
  static async open(
    ticket: RelayTicket,
    options: { audio: boolean; timeoutMs?: number },
  ): Promise<{ link: RelayLink; hello: MessageOf<'serverHello'> }> {
    const { lib } = await loadWebTransport();
    const base = ticket.relay_url.replace(/\/+$/, '');
    const url = `${base}/sessions/${encodeURIComponent(ticket.session_id)}/connect?ticket=${encodeURIComponent(ticket.token)}`;
    const pin = ticket.cert_sha256
      ? {
          serverCertificateHashes: [
            {
              algorithm: 'sha-256',
              value: Uint8Array.from(Buffer.from(ticket.cert_sha256, 'hex')),
            },
          ],
        }
      : {};
    const transport = new lib.WebTransport(url, {
      forceReliable: true,
      ...pin,
    } as never) as unknown as Transport;
    await transport.ready;
    const stream = await transport.createBidirectionalStream();
    const link = new RelayLink(transport, stream.writable.getWriter());
    const first = new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new RelayRefused('no answer to clientHello')),
        options.timeoutMs ?? 10_000,
      );
      link.handler = (m) => {
        clearTimeout(timer);
        // The full picture follows serverHello at once: kept until someone listens.
        link.handler = (next) => link.buffered.push(next);
        resolve(m);
      };
      void link.closed.then((info) => {
        clearTimeout(timer);
        reject(new RelayRefused(`closed during handshake: ${info.reason}`));
      });
    });
    void link.read(stream.readable);
    link.send({
      type: 'clientHello',
      minVersion: PROTOCOL_VERSION,
      maxVersion: PROTOCOL_VERSION,
      role: 'recorder',
      capabilities:
        CAP.tileCache | CAP.copyRect | CAP.cursor | CAP.video | (options.audio ? CAP.audioOut : 0),
      viewportWidth: 0,
      viewportHeight: 0,
      devicePixelRatioPercent: 100,
      clientName: 'browserpane-recording-worker',
    });
    const hello = await first.catch((err) => {
      link.close();
      throw err;
    });
    if (hello.type === 'reject') {
      link.close();
      throw new RelayRefused(
        `the relay refused the recorder: ${closeCodeName(hello.code) ?? hello.code} ${hello.message}`,
      );
    }
    if (hello.type !== 'serverHello') {
      link.close();
      throw new RelayRefused(`expected serverHello, got ${hello.type}`);
    }
    return { link, hello };
  }

  listen(handler: (m: Message) => void): void {
    this.handler = handler;
    for (const m of this.buffered.splice(0)) handler(m);
  }

  send(message: Message): void {
    if (this.finished) return;
    void this.writer.write(encodeMessage(message)).catch(() => {});
  }

  close(): void {
    if (!this.finished) this.send({ type: 'goodbye', code: 0, message: 'recording ended' });
    try {
      this.transport.close();
    } catch {
      // already closed
    }
    this.finish(0, 'closed by the recorder');
  }

  private async read(readable: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = createFrameDecoder();
    const reader = readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.bytesIn += value.byteLength;
        for (const frame of decoder.feed(value)) this.handler(decodeFrameFrom(frame, 'server'));
      }
      this.finish(0, 'stream ended');
    } catch (err) {
      this.finish(0, String((err as Error)?.message ?? err));
    }
  }

  private finish(code: number, reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.closeInfo = { code, reason };
    this.onClosed(this.closeInfo);
  }
}
