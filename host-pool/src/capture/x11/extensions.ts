/**
 * Typed views of the X extensions the host agent uses, as the `x11` package exposes them.
 * Only the members we call are declared.
 */
import type { XCallback } from 'x11';

/** MIT-SHM segment created by the package's provider (an unlinked /dev/shm file passed by fd). */
export interface ShmSegment {
  readonly shmseg: number;
  readonly size: number;
  /** Client-side copy of the segment; `readback` refreshes a byte range of it. */
  readonly buffer: Buffer;
  readback(offset: number, length: number): void;
  detach(cb?: () => void): void;
}

/** MIT-SHM: GetImage into a shared segment. */
export interface ShmExtension {
  readonly major: number;
  readonly minor: number;
  createSegment(size: number, cb: (err: Error | null, seg: ShmSegment) => void): void;
  usable(cb: (err: Error | null, ok: boolean) => void): void;
  GetImage(
    drawable: number,
    x: number,
    y: number,
    width: number,
    height: number,
    planeMask: number,
    format: number,
    shmseg: number,
    offset: number,
    cb: XCallback<{ depth: number; visual: number; size: number }>,
  ): void;
}

/** DAMAGE: damage objects on drawables. */
export interface DamageExtension {
  readonly ReportLevel: { RawRectangles: number };
  Create(damage: number, drawable: number, level: number): void;
  Destroy(damage: number): void;
}

/** An XFIXES GetCursorImage reply. */
export interface CursorImage {
  x: number;
  y: number;
  width: number;
  height: number;
  xhot: number;
  yhot: number;
  cursorSerial: number;
  /** width × height premultiplied ARGB32 pixels (little-endian words: B, G, R, A bytes). */
  cursorImage: Buffer;
}

/** XFIXES: cursor notifications, images and hiding. */
export interface FixesExtension {
  readonly CursorNotifyMask: { DisplayCursor: number };
  SelectCursorInput(window: number, mask: number): void;
  GetCursorImage(cb: XCallback<CursorImage>): void;
  HideCursor(window: number): void;
  ShowCursor(window: number): void;
}

/** A RANDR mode (only the fields we read). */
export interface RandrModeInfo {
  id: number;
  width: number;
  height: number;
  name: string;
}

/** A RANDR GetScreenResources reply. */
export interface RandrScreenResources {
  timestamp: number;
  config_timestamp: number;
  crtcs: number[];
  outputs: number[];
  modeinfos: RandrModeInfo[];
}

/** RANDR 1.2+: screen size, modes, CRTCs. */
export interface RandrExtension {
  readonly NotifyMask: { ScreenChange: number };
  readonly events: { RRScreenChangeNotify: number };
  SelectInput(window: number, mask: number): void;
  GetScreenSizeRange(
    window: number,
    cb: XCallback<{ minWidth: number; minHeight: number; maxWidth: number; maxHeight: number }>,
  ): void;
  GetScreenResources(window: number, cb: XCallback<RandrScreenResources>): void;
  CreateMode(
    window: number,
    mode: {
      width: number;
      height: number;
      dot_clock: number;
      h_sync_start: number;
      h_sync_end: number;
      h_total: number;
      v_sync_start: number;
      v_sync_end: number;
      v_total: number;
      name: string;
    },
    cb: XCallback<number>,
  ): void;
  AddOutputMode(output: number, mode: number): void;
  SetScreenSize(window: number, width: number, height: number, mmW: number, mmH: number): void;
  SetCrtcConfig(
    crtc: number,
    timestamp: number,
    configTimestamp: number,
    x: number,
    y: number,
    mode: number,
    rotation: number,
    outputs: number[],
    cb: XCallback<{ status: number; timestamp: number }>,
  ): void;
}

/** XTEST: synthetic key, button and motion events. */
export interface XTestExtension {
  readonly KeyPress: number;
  readonly KeyRelease: number;
  readonly ButtonPress: number;
  readonly ButtonRelease: number;
  readonly MotionNotify: number;
  FakeInput(type: number, detail: number, time: number, wid: number, x: number, y: number): void;
}

/** XInput 2: event selection (raw motion). */
export interface XInputExtension {
  readonly AllMasterDevices: number;
  readonly EventType: { RawMotion: number };
  XISelectEvents(window: number, masks: { deviceId: number; mask: number[] }): void;
}

/** Extension names as the `x11` package's `require` knows them, mapped to their views. */
export interface ExtensionMap {
  shm: ShmExtension;
  damage: DamageExtension;
  fixes: FixesExtension;
  randr: RandrExtension;
  xtest: XTestExtension;
  xinput: XInputExtension;
}
