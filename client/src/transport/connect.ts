import { WebTransportPonyfill } from './ponyfill.ts';
import type { ClientTransport, TransportKind } from './types.ts';

export interface ConnectOptions {
  /** Lowercase hex SHA-256 of the relay certificate (self-signed relays, native HTTP/3 only). */
  readonly certSha256Hex?: string | undefined;
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
    const hashes = options.certSha256Hex
      ? [{ algorithm: 'sha-256', value: hexToBytes(options.certSha256Hex) }]
      : undefined;
    try {
      const transport = new native(url, hashes ? { serverCertificateHashes: hashes } : {});
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

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
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
