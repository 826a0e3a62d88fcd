import { nativeTransportOptions } from './certificate-pin.ts';
import { WebTransportPonyfill } from './ponyfill.ts';
import type { ClientTransport, TransportKind } from './types.ts';

export interface ConnectOptions {
  /**
   * Hex SHA-256 of the relay certificate to pin (the ticket's `cert_sha256`: short-lived
   * self-signed relays, native HTTP/3 only); null or absent = a CA certificate, validated as usual.
   */
  readonly certSha256Hex?: string | null | undefined;
  /** Skip native WebTransport and go straight to WebSocket (HTTP/2 or HTTP/1.1). */
  readonly forceWebSocket?: boolean | undefined;
  /** How long native WebTransport may take before falling back. */
  readonly nativeTimeoutMs?: number | undefined;
}

/**
 * Opens a WebTransport session to the relay: native HTTP/3 first when the URL is https and the
 * browser has WebTransport, else (or when that fails or stalls) WebTransport over WebSocket via the
 * ponyfill. An `http:` URL means a loopback development relay without TLS: WebSocket only.
 */
export async function connectTransport(
  url: string,
  options: ConnectOptions = {},
): Promise<{ transport: ClientTransport; kind: TransportKind }> {
  const target = new URL(url);
  const native = (
    globalThis as { WebTransport?: new (url: string, init?: object) => ClientTransport }
  ).WebTransport;
  if (target.protocol === 'https:' && native && !options.forceWebSocket) {
    const init = nativeTransportOptions(options.certSha256Hex);
    try {
      const transport = new native(url, init);
      await withTimeout(transport.ready, options.nativeTimeoutMs ?? 1500);
      return { transport, kind: 'native-http3' };
    } catch {
      // no HTTP/3 on the relay, or UDP blocked: fall back
    }
  }
  const secure = target.protocol === 'https:';
  const ponyfillUrl = secure ? url : `https://${target.host}${target.pathname}${target.search}`;
  const transport = new WebTransportPonyfill(ponyfillUrl, {
    // read by the patched library: the WebSocket scheme to use
    bpScheme: secure ? 'wss://' : 'ws://',
  } as never) as unknown as ClientTransport;
  await transport.ready;
  return { transport, kind: 'websocket' };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
