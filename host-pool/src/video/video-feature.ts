import { CAP } from '@browserpane/protocol';
import { loadNodeAv } from '../media/node-av.ts';
import type { SessionFeature } from '../sessions/feature.ts';
import { VideoController, type VideoMode } from './video-controller.ts';
import { VideoHints } from './video-hints.ts';

export interface VideoFeatureOptions {
  /** Default for sessions that do not choose (session option `video_mode`). */
  readonly mode?: VideoMode;
  readonly fps?: number;
  /** Rate ceiling for a 640 × 360 region (others scale with area). */
  readonly maxKbps?: number;
}

/**
 * ROI video: moving regions as H.264 over the lossless tiles (see VideoController). Offered when
 * the host's FFmpeg has libx264 (or NVENC on a GPU host).
 */
export function videoFeature(options: VideoFeatureOptions = {}): SessionFeature {
  return {
    name: 'video',
    async capabilities() {
      try {
        const { av } = await loadNodeAv();
        return av.Codec.findEncoderByName(av.FF_ENCODER_LIBX264) ? CAP.video : 0;
      } catch {
        return 0;
      }
    },
    async attach(ctx) {
      const hints = new VideoHints(() => ctx.runtime.cdpWebSocketUrl());
      const requested = ctx.options.video_mode;
      const controller = new VideoController(ctx, {
        mode: requested ?? options.mode ?? 'roi',
        fps: options.fps ?? 30,
        maxKbps: options.maxKbps ?? 1100,
        hints: () => hints.query(),
        preferHardware: true,
      });
      controller.start();
      return async () => {
        await controller.stop();
        await hints.close();
      };
    },
  };
}
