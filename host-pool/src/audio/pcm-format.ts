/** Desktop audio as captured and encoded: 48 kHz, stereo, signed 16-bit little-endian. */
export const SAMPLE_RATE = 48_000;
export const OUT_CHANNELS = 2;
/** Microphone audio as fed to PulseAudio: 48 kHz mono s16le. */
export const MIC_CHANNELS = 1;
/** One Opus packet's worth of audio. */
export const FRAME_MS = 20;
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000;
export const BYTES_PER_SAMPLE = 2;

/** Bytes of one 20 ms s16le frame with `channels` channels. */
export function frameBytes(channels: number): number {
  return FRAME_SAMPLES * channels * BYTES_PER_SAMPLE;
}

/** Duration in microseconds of `samples` per-channel samples at 48 kHz. */
export function samplesToMicros(samples: number): number {
  return Math.round((samples * 1_000_000) / SAMPLE_RATE);
}
