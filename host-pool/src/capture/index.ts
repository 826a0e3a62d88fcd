/**
 * Capture: an X display as a {@link FrameSource} (DAMAGE-driven, MIT-SHM, paced), the cursor
 * through XFIXES, and the X connection helpers the rest of the agent shares (connection, RANDR
 * screen size).
 * @module
 */
export { CursorTracker, type CursorTrackerOptions, cursorRgba } from './cursor-tracker.ts';
export { DamageTracker } from './damage-tracker.ts';
export {
  type CaptureTiming,
  DisplayFrameSource,
  type DisplayFrameSourceOptions,
  type GrabbedFrame,
} from './display-frame-source.ts';
export { CaptureError, type CaptureErrorCode } from './errors.ts';
export { FramePacer } from './frame-pacer.ts';
export { type RowRange, ScreenGrabber } from './screen-grabber.ts';
export { XConnection, type XConnectionOptions } from './x11/connection.ts';
export { screenSizeRange, setScreenSize } from './x11/screen-size.ts';
