/**
 * The options for native WebTransport from the relay's `cert_sha256` (the ticket's pin). A hash
 * pins a short-lived self-signed relay certificate (`serverCertificateHashes`; browsers accept it
 * only for certificates valid 14 days or less). No hash (null or absent: the relay has a CA-issued
 * certificate) means no `serverCertificateHashes` at all, so the browser validates the
 * certificate the usual way; an empty list would not mean the same thing everywhere.
 */
export interface NativeTransportOptions {
  serverCertificateHashes?: Array<{ algorithm: 'sha-256'; value: Uint8Array }>;
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

export function nativeTransportOptions(
  certSha256Hex: string | null | undefined,
): NativeTransportOptions {
  if (certSha256Hex === null || certSha256Hex === undefined || certSha256Hex === '') return {};
  if (!SHA256_HEX.test(certSha256Hex))
    throw new TypeError('cert_sha256 must be 64 hex digits (the SHA-256 of the relay certificate)');
  return { serverCertificateHashes: [{ algorithm: 'sha-256', value: hexToBytes(certSha256Hex) }] };
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
