import { isIPv4 } from 'node:net';

/** How the host agent confines each session (parsed from HOST_SANDBOX* in config.ts). */
export interface SandboxSettings {
  /** Sessions run sandboxed (default). `false` only by the operator's explicit HOST_SANDBOX=off. */
  readonly enabled: boolean;
  /**
   * First user id for sessions when the agent runs as root: each running session holds one id of
   * `uidBase … uidBase + UID_RANGE − 1`, claimed machine-wide (several agents may share a kernel).
   */
  readonly uidBase: number;
  /** TCP ports on the host's loopback a session may reach (everything else there is refused). */
  readonly allowHostPorts: readonly number[];
  /** IPv4 networks (CIDR) a session may reach although they are private, link-local or the host's. */
  readonly allowNets: readonly string[];
}

/**
 * Session user ids come from here on up: above the ranges of regular users, systemd's dynamic
 * users and the usual subordinate-id blocks (systemd.io/UIDS-GIDS calls 1879048192–2147483647
 * unused), so they never meet an account of the host.
 */
export const DEFAULT_SANDBOX_UID_BASE = 1_900_000_000;
/** How many session user ids a base covers. */
export const SANDBOX_UID_RANGE = 65_536;

export const DEFAULT_SANDBOX_SETTINGS: SandboxSettings = {
  enabled: true,
  uidBase: DEFAULT_SANDBOX_UID_BASE,
  allowHostPorts: [],
  allowNets: [],
};

/**
 * A comma-separated list of ports and ranges (`8080,9000-9010`) as the sorted, distinct ports it
 * names; throws a message for the operator on anything else.
 */
export function parsePortList(raw: string): number[] {
  const ports = new Set<number>();
  for (const part of raw.split(',').map((p) => p.trim())) {
    if (!part) continue;
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!m || from < 1 || to > 65535 || to < from || to - from > 1024)
      throw new Error(`"${part}" is not a port (1–65535) or a range of at most 1025 ports`);
    for (let p = from; p <= to; p++) ports.add(p);
  }
  return [...ports].sort((a, b) => a - b);
}

/** A comma-separated list of IPv4 networks (`10.1.0.0/16,192.168.5.7`) in canonical CIDR form. */
export function parseCidrList(raw: string): string[] {
  const nets = new Set<string>();
  for (const part of raw.split(',').map((p) => p.trim())) {
    if (!part) continue;
    const [addr = '', bitsRaw] = part.split('/');
    const bits = bitsRaw === undefined ? 32 : Number(bitsRaw);
    if (!isIPv4(addr) || !/^\d{1,2}$/.test(bitsRaw ?? '32') || bits < 0 || bits > 32)
      throw new Error(`"${part}" is not an IPv4 network (a.b.c.d or a.b.c.d/bits)`);
    nets.add(`${networkOf(addr, bits)}/${bits}`);
  }
  return [...nets];
}

/** The network address of `addr/bits` (host bits cleared). */
function networkOf(addr: string, bits: number): string {
  const n = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (n & mask) >>> 0;
  return [24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.');
}
