import { CaptureError } from '../errors.ts';
import type { XConnection } from './connection.ts';
import type { RandrExtension, RandrScreenResources } from './extensions.ts';

const ROTATE_0 = 1;
const MM_PER_PIXEL_AT_96_DPI = 25.4 / 96;

/** The range of screen sizes the X server accepts (for Xvfb: up to its start size). */
export async function screenSizeRange(
  conn: XConnection,
): Promise<{ minWidth: number; minHeight: number; maxWidth: number; maxHeight: number }> {
  const rr = await conn.extension('randr');
  return conn.request<{ minWidth: number; minHeight: number; maxWidth: number; maxHeight: number }>(
    (cb) => rr.GetScreenSizeRange(conn.root, cb),
    'RRGetScreenSizeRange',
  );
}

async function modeFor(
  conn: XConnection,
  rr: RandrExtension,
  width: number,
  height: number,
): Promise<{ mode: number; crtc: number; output: number; configTimestamp: number }> {
  const res = await conn.request<RandrScreenResources>(
    (cb) => rr.GetScreenResources(conn.root, cb),
    'RRGetScreenResources',
  );
  const crtc = res.crtcs[0];
  const output = res.outputs[0];
  if (crtc === undefined || output === undefined)
    throw new CaptureError('resize_failed', 'the X screen has no RANDR output');
  const existing = res.modeinfos.find((m) => m.width === width && m.height === height);
  if (existing) {
    rr.AddOutputMode(output, existing.id);
    return { mode: existing.id, crtc, output, configTimestamp: res.config_timestamp };
  }
  const mode = await conn.request<number>(
    (cb) =>
      rr.CreateMode(
        conn.root,
        {
          width,
          height,
          dot_clock: width * height * 60,
          h_sync_start: width,
          h_sync_end: width,
          h_total: width,
          v_sync_start: height,
          v_sync_end: height,
          v_total: height,
          name: `${width}x${height}`,
        },
        cb,
      ),
    'RRCreateMode',
  );
  rr.AddOutputMode(output, mode);
  return { mode, crtc, output, configTimestamp: res.config_timestamp };
}

/**
 * Sets the X screen to `width × height` with RANDR 1.2: a mode of that size on the only output
 * (created once, then reused), the CRTC switched to it and the screen resized around it. Xvfb
 * keeps its start-size framebuffer and only changes the visible screen, so any size up to the
 * start size works, in either direction. Requires the server to run with `-noreset` (otherwise
 * the modes vanish when the last client disconnects). Resolves with the applied size.
 */
export async function setScreenSize(
  conn: XConnection,
  width: number,
  height: number,
): Promise<{ width: number; height: number }> {
  const range = await screenSizeRange(conn);
  const w = Math.max(range.minWidth, Math.min(range.maxWidth, Math.round(width)));
  const h = Math.max(range.minHeight, Math.min(range.maxHeight, Math.round(height)));
  const current = await conn.rootSize();
  if (current.width === w && current.height === h) return current;
  const rr = await conn.extension('randr');
  const target = await modeFor(conn, rr, w, h);
  const off = await conn.request<{ status: number }>(
    (cb) => rr.SetCrtcConfig(target.crtc, 0, target.configTimestamp, 0, 0, 0, ROTATE_0, [], cb),
    'RRSetCrtcConfig',
  );
  rr.SetScreenSize(
    conn.root,
    w,
    h,
    Math.round(w * MM_PER_PIXEL_AT_96_DPI),
    Math.round(h * MM_PER_PIXEL_AT_96_DPI),
  );
  const on = await conn.request<{ status: number }>(
    (cb) =>
      rr.SetCrtcConfig(
        target.crtc,
        0,
        target.configTimestamp,
        0,
        0,
        target.mode,
        ROTATE_0,
        [target.output],
        cb,
      ),
    'RRSetCrtcConfig',
  );
  if (off.status !== 0 || on.status !== 0)
    throw new CaptureError('resize_failed', `RANDR refused ${w}x${h} (status ${on.status})`);
  const applied = await conn.rootSize();
  if (applied.width !== w || applied.height !== h)
    throw new CaptureError(
      'resize_failed',
      `screen is ${applied.width}x${applied.height} after asking for ${w}x${h}`,
    );
  return applied;
}
