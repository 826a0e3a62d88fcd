/** The slice of the WebTransport API the client uses (native and ponyfill alike). */
export interface ClientBidiStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

export interface ClientTransport {
  readonly ready: Promise<unknown>;
  readonly closed: Promise<{ closeCode?: number; reason?: string } | undefined>;
  createBidirectionalStream(): Promise<ClientBidiStream>;
  close(info?: { closeCode?: number; reason?: string }): void;
}

export type TransportKind = 'native-http3' | 'websocket';
