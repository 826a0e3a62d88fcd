import { readFileSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';

/** Reads a cgroup v2 file of this process; undefined when absent or unlimited ("max"). */
export type CgroupReader = (file: 'memory.max' | 'memory.current') => number | undefined;

const readCgroup: CgroupReader = (file) => {
  try {
    const raw = readFileSync(`/sys/fs/cgroup/${file}`, 'utf8').trim();
    const n = Number(raw);
    return raw === 'max' || !Number.isFinite(n) ? undefined : n;
  } catch {
    return undefined;
  }
};

/**
 * Memory the agent may use in all: the machine's, or less when a container's memory limit
 * (cgroup v2 `memory.max`) says so — a pod limited to 4 GiB on a 64 GiB node gets 4 GiB.
 */
export function usableMemory(read: CgroupReader = readCgroup, machine = totalmem()): number {
  const limit = read('memory.max');
  return limit !== undefined && limit > 0 ? Math.min(machine, limit) : machine;
}

/** Memory free now: the machine's, or what is left under the container's limit if smaller. */
export function freeMemory(read: CgroupReader = readCgroup, machineFree = freemem()): number {
  const limit = read('memory.max');
  const used = read('memory.current');
  if (limit === undefined || used === undefined) return machineFree;
  return Math.max(0, Math.min(machineFree, limit - used));
}
