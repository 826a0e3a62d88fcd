import {
  CAP,
  createFrameDecoder,
  decodeFrameFrom,
  encodeMessage,
  type Message,
  type MessageOf,
  type Role,
} from '@browserpane/protocol';
import { loadWebTransport } from '../../src/relay/webtransport-lib.ts';

export interface NodeClientOptions {
  readonly url: string;
  readonly certSha256Hex: string;
  readonly role?: Role;
  readonly capabilities?: number;
  /** Stop reading (and acknowledging) after the first full picture: a stalled client. */
  readonly stopReading?: boolean;
  /** Acknowledge every frame like the browser client does (default true). */
  readonly ack?: boolean;
}

/** A protocol client over the library's Node transport (HTTP/2 capsules), for tests and benches. */
export class NodeClient {
  readonly messages: Message[] = [];
  closeInfo: { closeCode?: number; reason?: string } | undefined;
  private writer!: WritableStreamDefaultWriter<Uint8Array>;
  private waiters: Array<() => void> = [];
  private transport!: {
    close(info?: unknown): void;
    closed: Promise<{ closeCode?: number; reason?: string }>;
  };
  private readerStopped = false;
  private closeCalled = false;

  static async connect(options: NodeClientOptions): Promise<NodeClient> {
    const client = new NodeClient();
    await client.open(options);
    return client;
  }

  private async open(options: NodeClientOptions): Promise<void> {
    const { lib } = await loadWebTransport();
    const hash = Uint8Array.from(Buffer.from(options.certSha256Hex, 'hex'));
    const wt = new lib.WebTransport(options.url, {
      forceReliable: true,
      serverCertificateHashes: [{ algorithm: 'sha-256', value: hash }],
    } as never) as unknown as {
      ready: Promise<void>;
      closed: Promise<{ closeCode?: number; reason?: string }>;
      createBidirectionalStream(): Promise<{
        readable: ReadableStream<Uint8Array>;
        writable: WritableStream<Uint8Array>;
      }>;
      close(info?: unknown): void;
    };
    this.transport = wt;
    wt.closed.then(
      (info) => this.finish(info ?? {}),
      (err) => this.finish({ reason: String(err) }),
    );
    await wt.ready;
    const stream = await wt.createBidirectionalStream();
    this.writer = stream.writable.getWriter();
    void this.read(stream.readable, options.stopReading ?? false, options.ack ?? true);
    this.send({
      type: 'clientHello',
      minVersion: 1,
      maxVersion: 1,
      role: options.role ?? 'owner',
      capabilities:
        options.capabilities ??
        CAP.input | CAP.tileCache | CAP.copyRect | CAP.cursor | CAP.clipboard,
      viewportWidth: 1280,
      viewportHeight: 720,
      devicePixelRatioPercent: 100,
      clientName: 'node-test-client',
    });
  }

  send(message: Message): void {
    void this.writer.write(encodeMessage(message)).catch(() => {});
  }

  sendRaw(bytes: Uint8Array): void {
    void this.writer.write(bytes).catch(() => {});
  }

  /** Resolves with the first received message matching `predicate` (seen before or later). */
  async waitFor<T extends Message['type']>(
    type: T,
    predicate: (m: MessageOf<T>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<MessageOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((m) => m.type === type && predicate(m as MessageOf<T>));
      if (found) return found as MessageOf<T>;
      if (this.closeInfo)
        throw new Error(`closed (${JSON.stringify(this.closeInfo)}) before ${type}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${type}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  async waitClosed(timeoutMs = 10_000): Promise<{ closeCode?: number; reason?: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closeInfo) {
      if (Date.now() > deadline) throw new Error('connection did not close');
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.closeInfo;
  }

  count(type: Message['type']): number {
    return this.messages.filter((m) => m.type === type).length;
  }

  /**
   * Closes the connection once: a second close of the library's session spins its event loop
   * (seen: a test that closed its clients and an afterAll that closed them again ran for minutes).
   */
  close(): void {
    if (this.closeCalled) return;
    this.closeCalled = true;
    try {
      this.transport.close();
    } catch {
      // already closed
    }
  }

  private async read(
    readable: ReadableStream<Uint8Array>,
    stopAfterPicture: boolean,
    ack: boolean,
  ): Promise<void> {
    const decoder = createFrameDecoder();
    const reader = readable.getReader();
    try {
      for (;;) {
        if (this.readerStopped) return;
        const { value, done } = await reader.read();
        if (done) return;
        for (const frame of decoder.feed(value)) {
          const m = decodeFrameFrom(frame, 'server');
          this.messages.push(m);
          if (m.type === 'frameEnd') {
            if (ack) this.send({ type: 'frameAck', seq: m.seq, decodeMicros: 0 });
            if (stopAfterPicture) this.readerStopped = true;
          }
        }
        for (const w of this.waiters.splice(0)) w();
      }
    } catch {
      // transport gone
    }
  }

  private finish(info: { closeCode?: number; reason?: string }): void {
    this.closeInfo ??= info;
    for (const w of this.waiters.splice(0)) w();
  }
}
