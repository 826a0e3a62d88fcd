/**
 * The edge's half of the SSRF guard, when a subscription is created: the URL's form, and hosts
 * that are private by their name or their literal address. The edge runs in workerd, which has no
 * DNS resolver an application can ask (its `fetch` resolves names out of our sight), so the
 * resolved-address check — and the connection to the address checked, against DNS rebinding —
 * happen in the workflow worker (Node) at every delivery (`workers/workflow-worker/src/webhooks`).
 */
import { AppError } from '../../errors.ts';

function forbidden(message: string): AppError {
  return new AppError('webhook_target_forbidden', message);
}

/** The target URL as stored, or a `webhook_target_forbidden` error saying what is wrong. */
export function checkTargetUrl(raw: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw forbidden('target_url must be an absolute http: or https: URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw forbidden('target_url must be an http: or https: URL');
  if (url.username || url.password)
    throw forbidden('target_url must not carry credentials (sign with the secret instead)');
  if (url.hash) throw forbidden('target_url must not have a #fragment');
  if (!allowPrivate) {
    const why = privateHost(url.hostname);
    if (why)
      throw forbidden(
        `target_url points at a ${why} address; the operator allows those with WEBHOOK_ALLOW_PRIVATE_TARGETS`,
      );
  }
  return url.href;
}

/** Why `hostname` (as `URL` normalised it) is private, or null. */
export function privateHost(hostname: string): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  if (host.startsWith('[')) return privateV6(host.slice(1, -1));
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return privateV4(host.split('.').map(Number));
  if (!host.includes('.')) return 'private (single-label name)';
  return null;
}

function privateV4([a = 0, b = 0]: number[]): string | null {
  if (a === 127) return 'loopback';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'private (shared address space)';
  if (a === 0 || a >= 224) return 'unroutable';
  if (a === 198 && (b === 18 || b === 19)) return 'private (benchmarking)';
  return null;
}

function privateV6(host: string): string | null {
  if (host === '::1') return 'loopback';
  if (host === '::') return 'unroutable';
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const hi = Number.parseInt(mapped[1] as string, 16);
    const lo = Number.parseInt(mapped[2] as string, 16);
    return privateV4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  }
  const first = Number.parseInt(host.split(':')[0] || '0', 16);
  if ((first & 0xfe00) === 0xfc00) return 'unique-local';
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  if ((first & 0xff00) === 0xff00) return 'unroutable';
  return null;
}
