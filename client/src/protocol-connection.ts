import {
  closeCodeName,
  createFrameDecoder,
  decodeFrameFrom,
  encodeMessage,
  type Message,
  type MessageOf,
  ProtocolError,
} from '@browserpane/protocol';
import { type ConnectOptions, connectTransport } from './transport/connect.ts';
import { FrameWriter } from './transport/frame-writer.ts';
import type { ClientTransport, TransportKind } from './transport/types.ts';

export class ConnectError extends Error {
  override readonly name = 'ConnectError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/**
 * One protocol connection to a relay: opens the transport and the bidirectional stream, sends
 * `clientHello`, and waits for `serverHello` (or a typed `reject`). Afterwards every decoded
 * message goes to the handler; a malformed frame from the server closes with its error code.
 */
export class ProtocolConnection {
  bytesIn = 0;
  bytesOut = 0;
  private handler: (m: Message) => void = () => {};
  private readonly buffered: Message[] = [];
  private closeResolve!: (info: CloseInfo) => void;
  readonly closed: Promise<CloseInfo> = new Promise((resolve) => {
    this.closeResolve = resolve;
  });
  private isClosed = false;

  private constructor(
    private readonly transport: ClientTransport,
    private readonly writer: FrameWriter,
    readonly kind: TransportKind,
  ) {
    transport.closed.then(
      (info) => this.finish(info?.closeCode ?? 0, info?.reason ?? 'closed'),
      (err) => this.finish(0, String((err as Error)?.message ?? err)),
    );
  }

  static async open(
    url: string,
    hello: MessageOf<'clientHello'>,
    options: ConnectOptions & { timeoutMs?: number } = {},
  ): Promise<{ connection: ProtocolConnection; serverHello: MessageOf<'serverHello'> }> {
    let transport: ClientTransport;
    let kind: TransportKind;
    try {
      ({ transport, kind } = await connectTransport(url, options));
    } catch (err) {
      throw new ConnectError(
        1006,
        `could not reach the relay or it refused the ticket (${(err as Error).message ?? err})`,
      );
    }
    const stream = await transport.createBidirectionalStream();
    const connection = new ProtocolConnection(transport, new FrameWriter(stream.writable), kind);
    void connection.read(stream.readable);
    connection.send(hello);
    const first = await connection.first(options.timeoutMs ?? 10_000);
    if (first.type === 'reject') {
      connection.close();
      throw new ConnectError(first.code, first.message);
    }
    if (first.type !== 'serverHello') {
      connection.close();
      throw new ConnectError(1002, `expected serverHello, got ${first.type}`);
    }
    return { connection, serverHello: first };
  }

  /** Delivers messages (including any that arrived right after serverHello) to `handler`. */
  listen(handler: (m: Message) => void): void {
    this.handler = handler;
    for (const m of this.buffered.splice(0)) handler(m);
  }

  send(message: Message): void {
    if (this.isClosed) return;
    const bytes = encodeMessage(message);
    this.bytesOut += bytes.byteLength;
    this.writer.write(bytes);
  }

  close(code = 0, reason = 'client closed'): void {
    if (!this.isClosed) this.send({ type: 'goodbye', code, message: reason });
    try {
      this.transport.close({ closeCode: code, reason });
    } catch {
      // already closed
    }
    this.finish(code, reason);
  }

  private first(timeoutMs: number): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ConnectError(1003, 'no answer to clientHello')),
        timeoutMs,
      );
      this.handler = (m) => {
        clearTimeout(timer);
        this.handler = (next) => this.buffered.push(next);
        resolve(m);
      };
      this.closed.then((info) => {
        clearTimeout(timer);
        reject(
          new ConnectError(
            info.code,
            `closed during handshake: ${closeCodeName(info.code) ?? info.reason}`,
          ),
        );
      });
    });
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
      if (err instanceof ProtocolError) this.close(err.closeCode, err.code);
      else this.finish(0, String((err as Error)?.message ?? err));
    }
  }

  private finish(code: number, reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closeResolve({ code, reason });
  }
}
