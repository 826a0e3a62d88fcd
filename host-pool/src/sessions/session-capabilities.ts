import { CAP } from '@browserpane/protocol';
import type { SessionOptions } from '../control/edge-client.ts';

/** Which protocol capabilities each session option (API `capabilities`) switches. */
const OPTION_CAPABILITIES: Readonly<Record<string, number>> = {
  input: CAP.input,
  clipboard: CAP.clipboard,
  audio: CAP.audioOut,
  microphone: CAP.microphone,
  camera: CAP.camera,
  files: CAP.fileUpload | CAP.fileDownload,
  resize: CAP.resize,
};

/**
 * The capabilities a session's options leave on: an option set to `false` takes its capabilities
 * away from every participant of the session, whatever the host or the ticket could grant. Options
 * that are absent stay on (camera is off unless asked for: the API defaults it to false).
 */
export function sessionCapabilityMask(options: Pick<SessionOptions, 'capabilities'>): number {
  let mask = ~0;
  for (const [option, caps] of Object.entries(OPTION_CAPABILITIES))
    if (options.capabilities[option] === false) mask &= ~caps;
  return mask >>> 0;
}
