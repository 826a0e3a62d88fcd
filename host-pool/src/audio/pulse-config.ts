import { join } from 'node:path';
import { MIC_CHANNELS, OUT_CHANNELS, SAMPLE_RATE } from './pcm-format.ts';

/** The sink Chromium plays into: a pipe sink that writes what plays into a FIFO we read. */
export const OUT_SINK = 'browserpane_out';
/**
 * Seconds the output sink may stay idle before it is suspended. A suspended pipe sink writes
 * nothing (no wake-ups anywhere while the page is quiet); a stream that starts resumes it before
 * its first sample is rendered, so nothing of it is lost.
 */
export const SUSPEND_IDLE_SECONDS = 1;
/**
 * The idle timeout of every other device (the microphone's sink and source): a day, i.e. they
 * are not suspended in practice, as before; resuming the microphone chain is best left alone.
 */
const OTHERS_IDLE_SECONDS = 86_400;
/** The null sink the host plays the client's microphone into … */
export const MIC_SINK = 'browserpane_mic_in';
/** … and the source Chromium records from (the default source). */
export const MIC_SOURCE = 'browserpane_mic';

/** Where one session's PulseAudio keeps its socket, runtime files and configuration. */
export interface PulsePaths {
  readonly dir: string;
  readonly socket: string;
  readonly runtimeDir: string;
  readonly configHome: string;
  readonly clientConf: string;
  readonly script: string;
  readonly daemonConf: string;
  /** The FIFO the output sink writes its 48 kHz stereo s16le sound into. */
  readonly outPipe: string;
}

/** The layout of a session's PulseAudio directory. */
export function pulsePaths(dir: string): PulsePaths {
  return {
    dir,
    socket: join(dir, 'native'),
    runtimeDir: join(dir, 'run'),
    configHome: join(dir, 'config'),
    clientConf: join(dir, 'client.conf'),
    script: join(dir, 'session.pa'),
    daemonConf: join(dir, 'daemon.conf'),
    outPipe: join(dir, 'out.pcm'),
  };
}

/**
 * The daemon's own settings (read from `PULSE_CONFIG`): a 48 kHz float default, which Chromium
 * adopts for its streams, so they reach the 48 kHz sink without resampling; no idle exit, no flat
 * volumes.
 */
export const DAEMON_CONF = `default-sample-format = float32le
default-sample-rate = ${SAMPLE_RATE}
alternate-sample-rate = ${SAMPLE_RATE}
default-sample-channels = ${OUT_CHANNELS}
exit-idle-time = -1
flat-volumes = no
`;

/** Clients (Chromium, pacat) never spawn a daemon of their own. */
export const CLIENT_CONF = `autospawn = no
`;

/**
 * The daemon's startup script: the sinks and sources, the defaults Chromium uses, suspension of
 * the idle output sink, and the socket last, so once the socket accepts connections everything else
 * exists. The output sink renders on the system clock (real time, whether or not we read). A
 * module that does not load is logged, and PulseServer treats that as a failed start.
 */
export function pulseScript(paths: PulsePaths): string {
  const described = (text: string, more = '') => `"device.description='${text}'${more}"`;
  const suspendAfter = ` module-suspend-on-idle.timeout=${SUSPEND_IDLE_SECONDS}`;
  return [
    '.fail',
    `load-module module-suspend-on-idle timeout=${OTHERS_IDLE_SECONDS}`,
    `load-module module-pipe-sink sink_name=${OUT_SINK} file=${paths.outPipe} rate=${SAMPLE_RATE} channels=${OUT_CHANNELS} format=s16le use_system_clock_for_timing=yes sink_properties=${described('BrowserPane', suspendAfter)}`,
    `load-module module-null-sink sink_name=${MIC_SINK} rate=${SAMPLE_RATE} channels=${MIC_CHANNELS} format=s16le sink_properties=${described('BrowserPane microphone feed')}`,
    `load-module module-remap-source master=${MIC_SINK}.monitor source_name=${MIC_SOURCE} channels=${MIC_CHANNELS} source_properties=${described('BrowserPane microphone')}`,
    `set-default-sink ${OUT_SINK}`,
    `set-default-source ${MIC_SOURCE}`,
    `load-module module-native-protocol-unix socket=${paths.socket} auth-anonymous=1 auth-cookie-enabled=0`,
    '',
  ].join('\n');
}

/**
 * `pulseaudio` arguments for one session: a per-session user-mode daemon (`--system` is for one
 * machine-wide instance with a fixed socket and its own user), no default script (`-n`) but ours
 * (`-F`), no idle exit, no remote exit, no module loading after start, no realtime or nice
 * requests (as root they would be granted and could starve Chromium on a small host), no CPU
 * limiter (the agent supervises it), warnings only on stderr.
 */
export function pulseDaemonArgs(paths: PulsePaths): string[] {
  return [
    '-n',
    '-F',
    paths.script,
    '--daemonize=no',
    '--system=no',
    '--use-pid-file=no',
    '--exit-idle-time=-1',
    '--disallow-exit',
    '--disallow-module-loading',
    '--realtime=no',
    '--high-priority=no',
    '--no-cpu-limit',
    '--log-target=stderr',
    '--log-level=warning',
  ];
}

/** Environment for the daemon: everything under the session's own directory. */
export function pulseDaemonEnv(paths: PulsePaths): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: paths.dir,
    XDG_RUNTIME_DIR: paths.runtimeDir,
    XDG_CONFIG_HOME: paths.configHome,
    XDG_STATE_HOME: join(paths.dir, 'state'),
    PULSE_CONFIG: paths.daemonConf,
  };
}

/** Environment for a client of this daemon (Chromium, pacat). */
export function pulseClientEnv(paths: PulsePaths): Record<string, string> {
  return {
    PULSE_SERVER: `unix:${paths.socket}`,
    PULSE_CLIENTCONFIG: paths.clientConf,
  };
}
