/**
 * The WebTransport-shaped surface the relay codes against. Sessions from the HTTP/2-WebSocket
 * fallback and from native HTTP/3 are the same class in the library, so logic tested over the
 * fallback is the logic that runs over HTTP/3.
 */
export interface BidiStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

export interface WtCloseInfo {
  closeCode?: number;
  reason?: string;
}

export interface WtSession {
  readonly ready: Promise<unknown>;
  readonly closed: Promise<WtCloseInfo | undefined>;
  readonly incomingBidirectionalStreams: ReadableStream<BidiStream>;
  readonly datagrams: {
    readonly writable?: WritableStream<Uint8Array>;
    createWritable?(): WritableStream<Uint8Array>;
    readonly maxDatagramSize?: number;
  };
  createBidirectionalStream(): Promise<BidiStream>;
  close(info?: WtCloseInfo): void;
  readonly userData: unknown;
}
