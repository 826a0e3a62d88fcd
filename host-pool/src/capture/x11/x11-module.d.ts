/**
 * The slice of the untyped `x11` package (pure JS X11 client, v4.2.2) that the host agent uses.
 * Callbacks follow the package's convention: a callback that receives an error must return `true`
 * to mark it handled, otherwise the client also emits `'error'`.
 */
declare module 'x11' {
  import type { EventEmitter } from 'node:events';

  export type XCallback<T> = (err: XError | null | undefined, value: T) => unknown;

  export interface XError extends Error {
    error?: number;
    seq?: number;
    badParam?: number;
    majorOpcode?: number;
    minorOpcode?: number;
  }

  export interface XScreen {
    root: number;
    pixel_width: number;
    pixel_height: number;
    root_depth: number;
  }

  export interface XDisplay {
    client: XClient;
    screen: XScreen[];
    max_request_length?: number;
    isLocalSocket?: boolean;
  }

  export interface XEvent {
    name?: string;
    type: number;
    seq: number;
    [key: string]: unknown;
  }

  export interface XClient extends EventEmitter {
    display: XDisplay;
    options: Record<string, unknown>;
    require(name: string, cb: (err: Error | null, ext: never) => void): void;
    AllocID(): number;
    ReleaseID(id: number): void;
    GetGeometry(
      drawable: number,
      cb: XCallback<{ width: number; height: number; depth: number; xPos: number; yPos: number }>,
    ): void;
    GetImage(
      format: number,
      drawable: number,
      x: number,
      y: number,
      width: number,
      height: number,
      planeMask: number,
      cb: XCallback<{ depth: number; visualId: number; data: Buffer }>,
    ): void;
    QueryPointer(
      wid: number,
      cb: XCallback<{ rootX: number; rootY: number; child: number; keyMask: number }>,
    ): void;
    GetKeyboardMapping(startCode: number, count: number, cb: XCallback<number[][]>): void;
    GetModifierMapping(cb: XCallback<number[][]>): void;
    ChangeKeyboardMapping(firstKeycode: number, keysymsPerKeycode: number, keysyms: number[]): void;
    ChangeKeyboardControl(values: { autoRepeatMode?: number }): void;
    GetInputFocus(cb: XCallback<{ focus: number; revertTo: number }>): void;
    sync(cb?: (err: Error | null) => void): Promise<void> | undefined;
    close(cb?: (err?: Error | null) => void): void;
    terminate(): void;
  }

  export function createClient(
    options: {
      display?: string;
      shm?: boolean | 'off' | object;
      disableBigRequests?: boolean;
      auth?: { name: string; data: string };
    },
    cb: (err: Error | null | undefined, display: XDisplay) => void,
  ): XClient;

  const x11: { createClient: typeof createClient };
  export default x11;
}
