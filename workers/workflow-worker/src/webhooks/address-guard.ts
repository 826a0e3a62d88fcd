/**
 * The SSRF guard at delivery time. Why here and not in the edge: the edge runs in workerd, whose
 * `fetch` resolves names where the application cannot see or pin the result, so it could check a
 * URL but not the address it ends up connecting to. The worker resolves the target's name itself,
 * refuses it when any address is loopback, link-local, private, unique-local or otherwise not
 * public (unless the operator allows private targets), and then connects to the very address it
 * checked — a name that resolves differently a moment later (DNS rebinding) cannot redirect it.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** Whether `address` is not a public unicast address (IPv4-mapped IPv6 judged as its IPv4). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1] as string, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class TargetRefused extends Error {
  override readonly name = 'TargetRefused';
}

export interface ResolvedTarget {
  address: string;
  family: 4 | 6;
}

/** The address to connect to for `hostname`, or `TargetRefused` saying why not. */
export async function resolveTarget(
  hostname: string,
  allowPrivate: boolean,
): Promise<ResolvedTarget> {
  const host = hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (error) {
      throw new TargetRefused(
        `the target's name does not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  if (addresses.length === 0) throw new TargetRefused("the target's name has no address");
  if (!allowPrivate) {
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad)
      throw new TargetRefused(
        `the target resolves to a non-public address (${bad.address}); the operator allows those with WEBHOOK_ALLOW_PRIVATE_TARGETS`,
      );
  }
  const first = addresses[0] as { address: string; family: number };
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
