import { POLICY_DIR } from './browser-policy.ts';
import type { FilesystemView } from './filesystem.ts';

/** The files the sandbox generates per session and binds into the browser's /etc. */
export interface GeneratedEtc {
  readonly passwd: string;
  readonly group: string;
  readonly hosts: string;
  readonly resolvConf: string;
  readonly policy: string;
}

/** Contents of the generated /etc files: the session's user, loopback names, pasta's DNS. */
export function generatedEtc(options: {
  uid: number;
  gid: number;
  home: string;
  nameserver: string;
}): Record<keyof Omit<GeneratedEtc, 'policy'>, string> {
  return {
    passwd: `root:x:0:0:root:/root:/usr/sbin/nologin\nbrowserpane:x:${options.uid}:${options.gid}:BrowserPane session:${options.home}:/usr/sbin/nologin\n`,
    group: `root:x:0:\nbrowserpane:x:${options.gid}:\n`,
    hosts: '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n',
    resolvConf: `nameserver ${options.nameserver}\noptions edns0\n`,
  };
}

/** What Xvfb sees: the X socket directory (to create its socket) and its cookie file. */
export function displayView(options: {
  authFile: string;
  env: Readonly<Record<string, string>>;
}): FilesystemView {
  return { rw: ['/tmp/.X11-unix'], ro: [options.authFile], env: options.env };
}

/** What the session's PulseAudio sees: its own directory (socket, runtime and config files). */
export function audioView(options: {
  dir: string;
  env: Readonly<Record<string, string>>;
}): FilesystemView {
  return { rw: [options.dir], env: options.env };
}

/**
 * What the browser sees: its profile, downloads, uploads and home read-write; its display's socket
 * and cookie, the audio socket directory and the generated /etc files read-only; nothing else.
 */
export function browserView(options: {
  rw: readonly string[];
  ro: readonly string[];
  displayNumber: number;
  etc: GeneratedEtc;
  devices?: readonly string[];
  env: Readonly<Record<string, string>>;
}): FilesystemView {
  return {
    rw: options.rw,
    ro: [`/tmp/.X11-unix/X${options.displayNumber}`, ...options.ro],
    files: [
      { source: options.etc.passwd, target: '/etc/passwd' },
      { source: options.etc.group, target: '/etc/group' },
      { source: options.etc.hosts, target: '/etc/hosts' },
      { source: options.etc.resolvConf, target: '/etc/resolv.conf' },
      { source: options.etc.policy, target: `${POLICY_DIR}/browserpane.json` },
    ],
    devices: options.devices ?? [],
    env: options.env,
  };
}
