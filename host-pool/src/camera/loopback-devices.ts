import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A V4L2 device node as the kernel describes it. */
export interface VideoDevice {
  /** `/dev/videoN`. */
  readonly path: string;
  /** The driver-given card name (`/sys/class/video4linux/videoN/name`). */
  readonly name: string;
  /** Made by the v4l2loopback module (a virtual camera we can write frames to). */
  readonly loopback: boolean;
  /** This process may open the node for writing. */
  readonly writable: boolean;
}

export interface DeviceScanOptions {
  /** Where the kernel lists video devices (tests point this at a fake tree). */
  readonly sysfsRoot?: string;
  /** Where the device nodes are. */
  readonly devRoot?: string;
}

/** v4l2loopback's default card label, and the labels people give it (`card_label=`). */
const LOOPBACK_NAME = /v4l2 ?loopback|dummy video device|loopback|virtual ?cam/i;
/** Attributes only v4l2loopback devices have in sysfs. */
const LOOPBACK_ATTRIBUTES = ['max_openers', 'buffers', 'format'];

/** Lists `/dev/video*` devices with their names and whether they are v4l2loopback outputs. */
export function listVideoDevices(options: DeviceScanOptions = {}): VideoDevice[] {
  const sysfsRoot = options.sysfsRoot ?? '/sys/class/video4linux';
  const devRoot = options.devRoot ?? '/dev';
  let entries: string[];
  try {
    entries = readdirSync(sysfsRoot).filter((e) => /^video\d+$/.test(e));
  } catch {
    return [];
  }
  entries.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  return entries.map((entry) => {
    const dir = join(sysfsRoot, entry);
    const name = readText(join(dir, 'name'));
    const hasAttributes = LOOPBACK_ATTRIBUTES.every((a) => existsSync(join(dir, a)));
    const path = join(devRoot, entry);
    return {
      path,
      name,
      loopback: hasAttributes || LOOPBACK_NAME.test(name),
      writable: canWrite(path),
    };
  });
}

/** The v4l2loopback devices this process can feed, lowest number first. */
export function findLoopbackDevices(options: DeviceScanOptions = {}): VideoDevice[] {
  return listVideoDevices(options).filter((d) => d.loopback && d.writable);
}

/**
 * Which session feeds which loopback device: a device carries one camera at a time, so each
 * session that enables the camera leases its own.
 */
export class DeviceLeases {
  private readonly leased = new Map<string, string>();

  /** Leases the first free device of `devices` to `holder`; undefined when all are taken. */
  lease(holder: string, devices: readonly VideoDevice[]): string | undefined {
    const taken = new Set(this.leased.values());
    const free = devices.find((d) => !taken.has(d.path));
    if (!free) return undefined;
    this.leased.set(holder, free.path);
    return free.path;
  }

  /** The device `holder` leased, if any. */
  held(holder: string): string | undefined {
    return this.leased.get(holder);
  }

  release(holder: string): void {
    this.leased.delete(holder);
  }

  get size(): number {
    return this.leased.size;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
