import { lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The directories of one session; they survive restarts (and stop/start with the same root). */
export interface SessionPaths {
  readonly root: string;
  /** Chromium `--user-data-dir`. */
  readonly profile: string;
  /** Chromium's default download directory (no prompt). */
  readonly downloads: string;
  /** Where uploaded files are placed for the page's file pickers. */
  readonly uploads: string;
  /** HOME / XDG directories for Chromium, so nothing lands in the agent's own home. */
  readonly home: string;
  /** Xauthority file of the session's display. */
  readonly xauthority: string;
}

/** The directory layout under `root` (nothing is created). */
export function sessionPaths(root: string): SessionPaths {
  return {
    root,
    profile: join(root, 'profile'),
    downloads: join(root, 'downloads'),
    uploads: join(root, 'uploads'),
    home: join(root, 'home'),
    xauthority: join(root, 'Xauthority'),
  };
}

/**
 * The directories the browser writes. A sandboxed session's user owns them; the session root
 * itself stays the agent's, so the session can never swap one of them for a link elsewhere.
 */
export function browserWritableDirs(paths: SessionPaths): string[] {
  return [paths.profile, paths.downloads, paths.uploads, paths.home];
}

/** Creates (if needed) and returns the directory layout under `root`. */
export function prepareSessionPaths(root: string): SessionPaths {
  const paths = sessionPaths(root);
  for (const dir of [root, ...browserWritableDirs(paths)])
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  return paths;
}

type Json = Record<string, unknown>;

function readJson(path: string): Json {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : {};
  } catch {
    return {};
  }
}

function section(obj: Json, key: string): Json {
  const v = obj[key];
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Json;
  const fresh: Json = {};
  obj[key] = fresh;
  return fresh;
}

/**
 * Writes the preferences every launch needs into the profile, keeping everything else Chromium
 * stored. Only for browsers outside the sandbox: a sandboxed profile belongs to the session's user,
 * and the agent never reads or writes files the session could have replaced with a link (the
 * sandbox's browser policy and flags set the same things). Downloads go to `paths.downloads`
 * without asking, and the last exit counts as clean so a restart after a crash shows no "restore
 * pages?" bubble.
 */
export function applyProfilePreferences(paths: SessionPaths): void {
  const dir = join(paths.profile, 'Default');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'Preferences');
  const prefs = readJson(file);
  const download = section(prefs, 'download');
  download.default_directory = paths.downloads;
  download.prompt_for_download = false;
  download.directory_upgrade = true;
  section(prefs, 'savefile').default_directory = paths.downloads;
  section(prefs, 'selectfile').last_directory = paths.uploads;
  const profile = section(prefs, 'profile');
  profile.exit_type = 'Normal';
  profile.exited_cleanly = true;
  const browser = section(prefs, 'browser');
  browser.has_seen_welcome_page = true;
  browser.check_default_browser = false;
  // as the sandbox's PasswordManagerEnabled policy: no saved passwords, no "Save password?" bubble
  prefs.credentials_enable_service = false;
  profile.password_manager_enabled = false;
  writeFileSync(file, JSON.stringify(prefs), { mode: 0o600 });
}

/**
 * Removes Chromium's single-instance lock left by a killed browser. Only called when this agent
 * knows the previous browser process of the profile is gone. (Removing a directory entry never
 * follows it, so this is safe in a profile the session's user owns.)
 */
export function clearProfileLocks(paths: SessionPaths): void {
  for (const name of ['SingletonLock', 'SingletonSocket', 'SingletonCookie', 'DevToolsActivePort'])
    try {
      rmSync(join(paths.profile, name), { force: true });
    } catch {
      // not a file (the session made it a directory): Chromium will complain, nobody else
    }
}

/**
 * Whether the profile holds a browser session to reopen (Chromium keeps its tabs in
 * `Default/Sessions`). Looks at the entry itself (lstat, never following a link) and reads nothing:
 * the profile may be the session user's.
 */
export function hasLastSession(paths: SessionPaths): boolean {
  try {
    return lstatSync(join(paths.profile, 'Default', 'Sessions')).isDirectory();
  } catch {
    return false;
  }
}
