import { CAP, type Role } from './capabilities.ts';

/** Per-session capability switches, as set at session creation in the control-plane API. */
export const SESSION_CAPABILITY_NAMES = [
  'input',
  'clipboard',
  'audio',
  'microphone',
  'camera',
  'files',
  'resize',
] as const;
export type SessionCapabilityName = (typeof SESSION_CAPABILITY_NAMES)[number];
export type SessionCapabilities = Readonly<Record<SessionCapabilityName, boolean>>;

/** Defaults for a new session: everything on except the camera. */
export const DEFAULT_SESSION_CAPABILITIES: SessionCapabilities = {
  input: true,
  clipboard: true,
  audio: true,
  microphone: true,
  camera: false,
  files: true,
  resize: true,
};

/** What every participant gets: the picture (tiles, cache, copy-rects, cursor, video). */
const VIEW = CAP.tileCache | CAP.copyRect | CAP.cursor | CAP.video;

/**
 * The protocol capabilities a participant of `role` may be granted in a session with `session`
 * switches. Only owners send anything; viewers, recorders and automation clients on the relay
 * receive the picture and (when enabled) audio. The edge puts this set in connect tickets and
 * the relay grants at most this set in `serverHello` (and may narrow it, e.g. exclusive mode).
 */
export function roleCapabilities(session: SessionCapabilities, role: Role): number {
  let mask = VIEW;
  if (session.audio) mask |= CAP.audioOut;
  if (role !== 'owner') return mask >>> 0;
  if (session.input) mask |= CAP.input;
  if (session.clipboard) mask |= CAP.clipboard;
  if (session.files) mask |= CAP.fileUpload | CAP.fileDownload;
  if (session.microphone) mask |= CAP.microphone;
  if (session.camera) mask |= CAP.camera;
  if (session.resize) mask |= CAP.resize;
  return mask >>> 0;
}
