import type { Logger } from '../log.ts';
import { loadNodeAv } from '../media/node-av.ts';
import { findExecutable } from '../runtime/find-executable.ts';
import { PulseServer } from './pulse-server.ts';

/** The programs session audio runs: the daemon, and the player that feeds it the microphone. */
export interface AudioTools {
  readonly pulseaudio: string;
  readonly pacat: string;
}

export const DEFAULT_AUDIO_TOOLS: AudioTools = {
  pulseaudio: 'pulseaudio',
  pacat: 'pacat',
};

/** Whether this host can serve session audio, and if not, why (for the log). */
export type AudioHostCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks once per agent that session audio can work here: the PulseAudio tools exist, FFmpeg has
 * libopus, and a daemon with our modules actually starts (and stops) under this user.
 */
export async function checkAudioHost(tools: AudioTools, log: Logger): Promise<AudioHostCheck> {
  for (const tool of Object.values(tools)) {
    if (!findExecutable(tool))
      return { ok: false, reason: `${tool} not found (install pulseaudio and pulseaudio-utils)` };
  }
  try {
    const { av, constants } = await loadNodeAv();
    if (
      !av.Codec.findEncoderByName(constants.FF_ENCODER_LIBOPUS) ||
      !av.Codec.findDecoderByName(constants.FF_DECODER_LIBOPUS)
    )
      return { ok: false, reason: 'FFmpeg (node-av) has no libopus' };
  } catch (err) {
    return { ok: false, reason: `node-av did not load: ${(err as Error).message}` };
  }
  try {
    const server = await PulseServer.start({ log, pulseaudioPath: tools.pulseaudio });
    await server.stop();
  } catch (err) {
    return { ok: false, reason: `pulseaudio does not start: ${(err as Error).message}` };
  }
  return { ok: true };
}
