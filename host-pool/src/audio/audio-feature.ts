import { CAP, encodeMessage } from '@browserpane/protocol';
import type { SessionOptions } from '../control/edge-client.ts';
import { type Logger, silentLogger } from '../log.ts';
import type { Participant } from '../relay/participant.ts';
import type { SessionSandbox } from '../sandbox/index.ts';
import type { FeatureContext, PreparedFeature, SessionFeature } from '../sessions/feature.ts';
import { AUDIO_CONFIG, DesktopAudio } from './desktop-audio.ts';
import {
  type AudioHostCheck,
  type AudioTools,
  checkAudioHost,
  DEFAULT_AUDIO_TOOLS,
} from './host-check.ts';
import { MicrophoneInput } from './microphone.ts';
import { MIC_SINK } from './pulse-config.ts';
import { PulseServer } from './pulse-server.ts';

const RECHECK_AFTER_MS = 60_000;

interface HostCheckEntry {
  failedAt: number | undefined;
  readonly result: Promise<AudioHostCheck>;
}

export interface AudioFeatureOptions {
  readonly tools?: AudioTools;
}

/**
 * Session audio: desktop audio out (`audioOut`) and the owner's microphone in (`microphone`).
 * Each session gets its own PulseAudio daemon before Chromium starts (Chromium plays into a null
 * sink and records from a source fed by the client's microphone). The sink writes what plays
 * into a FIFO only while something plays (it is suspended a second after), so a quiet session
 * costs neither the host nor the wire anything, and the first sample of a sound after silence is
 * there to send; it is encoded only while a participant with `audioOut` is connected.
 */
export class AudioFeature implements SessionFeature {
  readonly name = 'audio';
  private check: HostCheckEntry | undefined;
  private reasonLogged = false;
  private readonly servers = new Map<string, PulseServer>();
  private readonly tools: AudioTools;

  constructor(options: AudioFeatureOptions = {}) {
    this.tools = options.tools ?? DEFAULT_AUDIO_TOOLS;
  }

  /** `audioOut | microphone` once this host proved it can run PulseAudio and libopus; else 0. */
  async capabilities(): Promise<number> {
    return (await this.hostCheck()).ok ? CAP.audioOut | CAP.microphone : 0;
  }

  async prepare(
    sessionDir: string,
    log: Logger,
    options: SessionOptions,
    sandbox: SessionSandbox | undefined,
  ): Promise<PreparedFeature> {
    const { audio, microphone } = options.capabilities;
    // neither sound nor microphone: no audio server for this session, and a muted browser
    if (audio === false && microphone === false)
      return { setup: { chromiumArgs: ['--mute-audio'] }, cleanup: async () => undefined };
    const check = await this.hostCheck();
    if (!check.ok) {
      if (!this.reasonLogged)
        log.warn('session audio is off on this host', { reason: check.reason });
      this.reasonLogged = true;
      return { setup: {}, cleanup: async () => undefined };
    }
    let server: PulseServer;
    try {
      server = await PulseServer.start({
        log: log.child({ feature: 'audio' }),
        pulseaudioPath: this.tools.pulseaudio,
        ...(sandbox ? { sandbox } : {}),
      });
    } catch (err) {
      // The session still runs, silently: its participants get no audio packets.
      log.error('session audio server did not start', { err });
      return { setup: {}, cleanup: async () => undefined };
    }
    this.servers.set(sessionDir, server);
    return {
      // the sandboxed browser sees the daemon's directory (its socket), read-only
      setup: { chromiumEnv: server.clientEnv, browserReadablePaths: [server.paths.dir] },
      cleanup: async () => {
        if (this.servers.get(sessionDir) === server) this.servers.delete(sessionDir);
        await server.stop();
      },
    };
  }

  /** The host check, done once; a failure is checked again after a minute (it may be transient). */
  private hostCheck(): Promise<AudioHostCheck> {
    const stale =
      this.check?.failedAt !== undefined && Date.now() - this.check.failedAt > RECHECK_AFTER_MS;
    if (!this.check || stale) {
      const entry: HostCheckEntry = {
        failedAt: undefined,
        result: checkAudioHost(this.tools, silentLogger),
      };
      void entry.result.then((r) => {
        if (!r.ok) entry.failedAt = Date.now();
        else this.reasonLogged = false;
      });
      this.check = entry;
    }
    return this.check.result;
  }

  async attach(ctx: FeatureContext): Promise<() => Promise<void>> {
    const server = this.servers.get(ctx.runtime.paths.root);
    if (!server) return async () => undefined;
    const { hub, log } = ctx;
    const pulseEnv = server.clientEnv;
    const out = new DesktopAudio({
      pipe: server.paths.outPipe,
      log,
      broadcast: (frame) => hub.broadcastBytes(frame, 'audioOut'),
    });
    // read from the start, so what plays while nobody listens is drained, never sent late
    out.open();
    const mic = new MicrophoneInput({
      device: MIC_SINK,
      pulseEnv,
      log,
      record: ctx.record,
      pacatPath: this.tools.pacat,
    });
    const configBytes = encodeMessage(AUDIO_CONFIG);
    const listening = (p: Participant) => (p.capabilities & CAP.audioOut) !== 0;
    const sync = () => {
      if (hub.list().some(listening)) out.start();
      else out.stop();
    };
    const offJoin = hub.onJoin((p) => {
      if (listening(p)) p.peer.sendBytes(configBytes);
      sync();
    });
    const offLeave = hub.onLeave((p) => {
      mic.left(p.id);
      sync();
    });
    const offRestart = server.onRestart(() => out.restartCapture());
    hub.handle('micConfig', (m, from) => m.type === 'micConfig' && mic.config(m, from.id));
    hub.handle('micPacket', (m, from) => m.type === 'micPacket' && mic.packet(m, from.id));
    hub.handle('micStop', (m, from) => m.type === 'micStop' && mic.stop(from.id));
    sync();
    return async () => {
      offJoin();
      offLeave();
      offRestart();
      await Promise.all([out.close(), mic.close()]);
      // Also stopped by `cleanup` after the browser; stopping here too means a browser that
      // fails to stop cannot leave the daemon behind.
      await server.stop();
    };
  }
}

/** The session audio feature (registered in sessions/features.ts). */
export function audioFeature(options: AudioFeatureOptions = {}): SessionFeature {
  return new AudioFeature(options);
}
