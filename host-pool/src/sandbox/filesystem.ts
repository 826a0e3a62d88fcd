import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * What one sandboxed process sees of the filesystem besides the read-only system (/usr and the
 * few /etc files programs need). Everything else — /root, /home, the agent's data directory,
 * other sessions, the repository, the host's /tmp — does not exist in its view.
 */
export interface FilesystemView {
  /** Directories bound read-write at their own path. */
  readonly rw?: readonly string[];
  /** Files or directories bound read-only at their own path. */
  readonly ro?: readonly string[];
  /** Host files bound read-only at another path (generated /etc files, the browser policy). */
  readonly files?: ReadonlyArray<{ readonly source: string; readonly target: string }>;
  /** Device nodes bound at their own path (a leased camera). */
  readonly devices?: readonly string[];
  /** Environment of the process (nothing of the agent's is inherited). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * /etc entries the browser, Xvfb and PulseAudio read; only those that exist are bound
 * (`chromium.d`: the flags Debian's /usr/bin/chromium launcher script reads).
 */
export const SYSTEM_ETC: readonly string[] = [
  'alternatives',
  'ca-certificates',
  'ca-certificates.conf',
  'chromium.d',
  'fonts',
  'gtk-3.0',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'localtime',
  'mime.types',
  'nsswitch.conf',
  'ssl',
  'timezone',
  'X11',
  'xdg',
];

const FONT_CACHE = '/var/cache/fontconfig';

/** Top-level names of a merged-/usr system: symlinks into /usr, or directories to bind. */
const USR_LINKS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/** Where bubblewrap's own mounts are (their parents need no creating). */
const MOUNTED = new Set(['/', '/usr', '/etc', '/tmp', '/dev', '/proc', '/dev/shm']);

/**
 * bubblewrap arguments for a view: the read-only system, fresh /proc, /dev, /dev/shm and /tmp,
 * the view's own paths, and a read-only root. Parent directories of bound paths are created
 * (world-searchable, empty but for the bind) so the unprivileged process can walk to them.
 */
export function viewArgs(view: FilesystemView): string[] {
  const args: string[] = ['--ro-bind', '/usr', '/usr'];
  for (const name of USR_LINKS) {
    const path = `/${name}`;
    const kind = entryKind(path);
    if (kind === 'link') args.push('--symlink', readlinkSync(path), path);
    else if (kind === 'dir') args.push('--ro-bind', path, path);
  }
  args.push('--perms', '0755', '--tmpfs', '/etc');
  for (const name of SYSTEM_ETC) args.push('--ro-bind-try', `/etc/${name}`, `/etc/${name}`);
  args.push('--proc', '/proc', '--dev', '/dev');
  args.push('--perms', '1777', '--tmpfs', '/dev/shm');
  args.push('--perms', '1777', '--tmpfs', '/tmp');
  const made = new Set<string>(MOUNTED);
  const parents = (path: string) => {
    const chain: string[] = [];
    for (let d = dirname(path); !made.has(d) && d !== '/'; d = dirname(d)) chain.unshift(d);
    for (const d of chain) {
      args.push('--perms', '0755', '--dir', d);
      made.add(d);
    }
  };
  // the system's font cache: without it fontconfig scans every font at each browser start
  if (existsSync(FONT_CACHE)) {
    parents(FONT_CACHE);
    args.push('--ro-bind', FONT_CACHE, FONT_CACHE);
  }
  for (const file of view.files ?? []) {
    parents(file.target);
    args.push('--ro-bind', file.source, file.target);
  }
  for (const path of view.ro ?? []) {
    parents(path);
    args.push('--ro-bind', path, path);
  }
  for (const path of view.rw ?? []) {
    parents(path);
    args.push('--bind', path, path);
    made.add(path);
  }
  for (const path of view.devices ?? []) {
    parents(path);
    args.push('--dev-bind', path, path);
  }
  args.push('--remount-ro', '/etc', '--remount-ro', '/');
  args.push('--clearenv');
  for (const [k, v] of Object.entries(view.env)) args.push('--setenv', k, v);
  // / for every process: bubblewrap changes directory before it becomes the session's user
  args.push('--chdir', '/');
  return args;
}

function entryKind(path: string): 'link' | 'dir' | undefined {
  if (!existsSync(path)) return undefined;
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return 'link';
  return st.isDirectory() ? 'dir' : undefined;
}
