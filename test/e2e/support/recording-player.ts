import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadNodeAv } from '@browserpane/host-pool/media/node-av';
import type { Page } from 'playwright-core';
import { startTestSite } from './test-site.ts';

export type Rgb = readonly [number, number, number];

export interface PlayedFile {
  /** `<video>.duration` once loaded (Infinity for a file without an index). */
  readonly duration: number;
  readonly width: number;
  readonly height: number;
  /** [media time in seconds, colour at the sample point] every ~100 ms of playback, in order. */
  readonly samples: Array<[number, Rgb]>;
  /** Where playback ended (seconds). */
  readonly endedAt: number;
  /** Bytes of audio Chromium decoded while playing (0: no audio track, or silence only). */
  readonly audioBytes: number;
}

/**
 * Plays `bytes` (a WebM, or an MP4 with `type: 'mp4'`) through in a `<video>` element of a real Chromium page, served from the
 * page's own origin so its pixels can be read, and reads the colour at (x, y) every ~100 ms with
 * the media time it showed (headless Chromium paints only the keyframe after a seek on a paused
 * video, so the file is watched as a person would, from start to end).
 */
export async function playRecording(
  page: Page,
  dir: string,
  bytes: Uint8Array,
  options: { at?: { x: number; y: number }; rate?: number; type?: 'webm' | 'mp4' } = {},
): Promise<PlayedFile> {
  const ext = options.type ?? 'webm';
  const path = join(dir, `played-${Date.now()}.${ext}`);
  writeFileSync(path, bytes);
  const site = await startTestSite({ [`/file.${ext}`]: path });
  try {
    await page.goto(`${site.url}/next`);
    return await page.evaluate(
      async ({ at, rate, ext }) => {
        const v = document.createElement('video');
        v.muted = true;
        v.preload = 'auto';
        const decoded = v as HTMLVideoElement & { webkitAudioDecodedByteCount?: number };
        v.src = `/file.${ext}`;
        document.body.append(v);
        await new Promise<void>((resolve, reject) => {
          v.onloadeddata = () => resolve();
          v.onerror = () => reject(new Error(`the video did not load: ${v.error?.message}`));
        });
        const canvas = document.createElement('canvas');
        canvas.width = v.videoWidth;
        canvas.height = v.videoHeight;
        const g = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
        const samples: Array<[number, [number, number, number]]> = [];
        const sample = () => {
          g.drawImage(v, 0, 0);
          const d = g.getImageData(at.x, at.y, 1, 1).data;
          samples.push([v.currentTime, [d[0] as number, d[1] as number, d[2] as number]]);
        };
        v.playbackRate = rate;
        const ended = new Promise<void>((resolve) => {
          v.onended = () => resolve();
        });
        await v.play();
        const timer = setInterval(sample, 100);
        await ended;
        clearInterval(timer);
        sample();
        return {
          duration: v.duration,
          width: v.videoWidth,
          height: v.videoHeight,
          samples,
          endedAt: v.currentTime,
          audioBytes: decoded.webkitAudioDecodedByteCount ?? 0,
        };
      },
      { at: options.at ?? { x: 640, y: 500 }, rate: options.rate ?? 1, ext },
    );
  } finally {
    await site.close();
  }
}

/** The name of a colour within `tolerance` per channel of pure red, green, blue or yellow. */
export function colourName(c: Rgb, tolerance: number): string {
  const named: Record<string, Rgb> = {
    red: [255, 0, 0],
    green: [0, 255, 0],
    blue: [0, 0, 255],
    yellow: [255, 255, 0],
  };
  for (const [name, ref] of Object.entries(named))
    if (ref.every((v, i) => Math.abs(v - (c[i] as number)) <= tolerance)) return name;
  return `other(${c.join(',')})`;
}

/** What a media file holds, read with node-av's demuxer (an ffprobe): video codec, duration. */
export async function probeMedia(
  path: string,
  bytes: Uint8Array,
): Promise<{ video: string | null; audio: string | null; durationMs: number }> {
  writeFileSync(path, bytes);
  const { av } = await loadNodeAv();
  const input = new av.FormatContext();
  if ((await input.openInput(path)) < 0) throw new Error(`${path} does not open as media`);
  try {
    await input.findStreamInfo(null);
    const codec = (type: number) => {
      const s = input.streams.find((x) => x.codecpar.codecType === type);
      return s ? (av.Codec.findDecoder(s.codecpar.codecId)?.name ?? 'unknown') : null;
    };
    return {
      video: codec(av.AVMEDIA_TYPE_VIDEO),
      audio: codec(av.AVMEDIA_TYPE_AUDIO),
      durationMs: Number(input.duration) / 1000,
    };
  } finally {
    await input.closeInput();
  }
}
