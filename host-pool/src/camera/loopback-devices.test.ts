import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAP } from '@browserpane/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { CameraFeature } from './camera-feature.ts';
import { DeviceLeases, findLoopbackDevices, listVideoDevices } from './loopback-devices.ts';

/** A fake /sys/class/video4linux and /dev with the given devices. */
function fakeTree(
  root: string,
  devices: Array<{ n: number; name: string; attributes?: boolean; node?: boolean }>,
) {
  const sysfsRoot = join(root, 'sys');
  const devRoot = join(root, 'dev');
  mkdirSync(sysfsRoot, { recursive: true });
  mkdirSync(devRoot, { recursive: true });
  for (const d of devices) {
    const dir = join(sysfsRoot, `video${d.n}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'name'), `${d.name}\n`);
    if (d.attributes)
      for (const a of ['max_openers', 'buffers', 'format']) writeFileSync(join(dir, a), '2\n');
    if (d.node !== false) writeFileSync(join(devRoot, `video${d.n}`), '');
  }
  return { sysfsRoot, devRoot };
}

describe('v4l2loopback device detection', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bp-cam-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('tells loopback devices (by their sysfs attributes or name) from real cameras, in number order', () => {
    const scan = fakeTree(root, [
      { n: 10, name: 'BrowserPane cam', attributes: true },
      { n: 0, name: 'Integrated Camera: Integrated C' },
      { n: 2, name: 'Dummy video device (0x0000)' },
      { n: 3, name: 'v4l2loopback', node: false },
    ]);
    const all = listVideoDevices(scan);
    expect(all.map((d) => [d.path.slice(scan.devRoot.length), d.loopback, d.writable])).toEqual([
      ['/video0', false, true],
      ['/video2', true, true],
      ['/video3', true, false],
      ['/video10', true, true],
    ]);
    expect(findLoopbackDevices(scan).map((d) => d.name)).toEqual([
      'Dummy video device (0x0000)',
      'BrowserPane cam',
    ]);
  });

  it('finds nothing on a host without video devices (like this one) or without sysfs', () => {
    expect(findLoopbackDevices({ sysfsRoot: join(root, 'missing'), devRoot: root })).toEqual([]);
    expect(findLoopbackDevices(fakeTree(root, []))).toEqual([]);
  });

  it('offers the camera capability only when a writable loopback device exists', async () => {
    expect(await new CameraFeature(fakeTree(root, [{ n: 0, name: 'Webcam' }])).capabilities()).toBe(
      0,
    );
    rmSync(root, { recursive: true, force: true });
    const scan = fakeTree(root, [{ n: 4, name: 'Dummy video device (0x0000)' }]);
    expect(await new CameraFeature(scan).capabilities()).toBe(CAP.camera);
  });

  it('leases one device per session and frees it again', () => {
    const devices = [
      { path: '/dev/video2', name: 'a', loopback: true, writable: true },
      { path: '/dev/video3', name: 'b', loopback: true, writable: true },
    ];
    const leases = new DeviceLeases();
    expect(leases.lease('s1', devices)).toBe('/dev/video2');
    expect(leases.lease('s2', devices)).toBe('/dev/video3');
    expect(leases.lease('s3', devices)).toBeUndefined();
    leases.release('s1');
    expect(leases.lease('s3', devices)).toBe('/dev/video2');
    expect(leases.size).toBe(2);
  });

  it('leases a sandboxed session’s device before its browser starts, for the browser’s view', async () => {
    const scan = fakeTree(root, [
      { n: 4, name: 'Dummy video device (0x0000)' },
      { n: 5, name: 'Dummy video device (0x0001)' },
    ]);
    const feature = new CameraFeature(scan);
    const options = (camera: boolean) =>
      ({
        viewport: { width: 1280, height: 720 },
        capabilities: { camera },
        owner_mode: 'collaborative',
      }) as never;
    const sandbox = {} as never; // prepare only asks whether there is one
    const dir = join(root, 'sessions', 's-1');
    const on = await feature.prepare(dir, silentLogger, options(true), sandbox);
    expect(on.setup.browserDevices).toEqual([join(scan.devRoot, 'video4')]);
    // the camera off, or no sandbox (the browser sees /dev as the agent does): nothing leased
    for (const [camera, box] of [
      [false, sandbox],
      [true, undefined],
    ] as const)
      expect(
        (await feature.prepare(join(root, 'sessions', 's-2'), silentLogger, options(camera), box))
          .setup.browserDevices,
      ).toBeUndefined();
    await on.cleanup();
    const again = await feature.prepare(dir, silentLogger, options(true), sandbox);
    expect(again.setup.browserDevices).toEqual([join(scan.devRoot, 'video4')]);
    await again.cleanup();
  });
});
