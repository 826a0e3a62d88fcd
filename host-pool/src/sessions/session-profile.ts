import { mkdir } from 'node:fs/promises';
import type { Logger } from '../log.ts';
import type { ProfileSync } from '../profiles/profile-sync.ts';

/** Portable profiles as the session factory uses them (HOST_PROFILES, HOST_PROFILE_SAVE_INTERVAL_SEC). */
export interface SessionProfiles {
  readonly sync: ProfileSync;
  /** Saves while a session runs, every this many ms (0: only when it stops). */
  readonly saveIntervalMs: number;
}

type Record = (type: string, data?: { [key: string]: unknown }) => void;

/**
 * Whether the edge holds a saved profile for the session, so its browser must start cold, after
 * the restore (a warm runtime's browser already runs on a blank profile). When the edge cannot be
 * asked, the answer is yes: a cold start is only slower, a warm one would lose the profile.
 */
export async function hasStoredProfile(
  profiles: SessionProfiles,
  sessionId: string,
  log: Logger,
): Promise<boolean> {
  try {
    return await profiles.sync.hasSaved(sessionId);
  } catch (err) {
    log.warn('could not ask whether a profile is saved; starting cold', { err });
    return true;
  }
}

/**
 * Puts the session's saved profile in `sessionDir` before its browser starts. A failure is
 * recorded and the session still starts, from what this host has (nothing, on a new host).
 */
export async function restoreProfile(
  profiles: SessionProfiles,
  sessionId: string,
  sessionDir: string,
  record: Record,
  log: Logger,
): Promise<void> {
  await mkdir(sessionDir, { recursive: true, mode: 0o700 });
  try {
    const restored = await profiles.sync.restore(sessionId, sessionDir);
    if (restored)
      record('profile_restored', {
        revision: restored.revision,
        bytes: restored.bytes,
        files: restored.files,
        ms: restored.ms,
      });
  } catch (err) {
    log.warn('profile not restored', { err });
    record('profile_restore_failed', { error: (err as Error).message.slice(0, 300) });
  }
}

/** Saves the profile in `sessionDir` (the runtime's own directory, a warm one's too); never throws. */
export function profileSaver(
  profiles: SessionProfiles,
  sessionId: string,
  sessionDir: string,
  record: Record,
  log: Logger,
): (reason: 'periodic' | 'stop') => Promise<void> {
  return async (reason) => {
    try {
      const saved = await profiles.sync.save(sessionId, sessionDir);
      record('profile_saved', {
        reason,
        revision: saved.revision,
        bytes: saved.bytes,
        ms: saved.ms,
      });
    } catch (err) {
      log.warn('profile not saved', { reason, err });
      record('profile_save_failed', { reason, error: (err as Error).message.slice(0, 300) });
    }
  };
}
