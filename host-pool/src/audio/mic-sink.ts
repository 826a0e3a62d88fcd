import type { Logger } from '../log.ts';
import { AudioChild } from './child.ts';
import { MIC_CHANNELS, SAMPLE_RATE } from './pcm-format.ts';

/** More queued than this (200 ms of mono s16le) and new audio is dropped instead of delayed. */
const MAX_QUEUED_BYTES = (SAMPLE_RATE * 2 * MIC_CHANNELS) / 5;

export interface MicSinkOptions {
  /** The null sink whose monitor feeds the session's default source. */
  readonly device: string;
  readonly pulseEnv: Readonly<Record<string, string>>;
  readonly log: Logger;
  readonly pacatPath?: string;
}

/**
 * Plays decoded microphone PCM (48 kHz mono s16le) into the session's microphone feed sink with
 * `pacat`. Never lets latency pile up: when the player falls behind, new audio is dropped.
 */
export class MicSink {
  private child: AudioChild | undefined;
  private lastSpawn = 0;
  bytesWritten = 0;
  bytesDropped = 0;

  constructor(private readonly options: MicSinkOptions) {}

  get running(): boolean {
    return this.child?.running ?? false;
  }

  write(pcm: Buffer): void {
    const child = this.ensure();
    const stdin = child?.child.stdin;
    if (!child || !stdin || !child.running || stdin.writableLength > MAX_QUEUED_BYTES) {
      this.bytesDropped += pcm.byteLength;
      return;
    }
    stdin.write(pcm);
    this.bytesWritten += pcm.byteLength;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    await child?.stop(1000);
  }

  private ensure(): AudioChild | undefined {
    if (this.child?.running) return this.child;
    if (this.child && !this.child.running) {
      // a player that keeps dying (daemon restarting) is retried at most once a second
      if (Date.now() - this.lastSpawn < 1000) return undefined;
      this.options.log.warn('microphone player exited; starting a new one', {
        stderr: this.child.log().slice(-200),
      });
    }
    this.lastSpawn = Date.now();
    const { options } = this;
    this.child = new AudioChild({
      command: options.pacatPath ?? 'pacat',
      args: [
        '--playback',
        `--device=${options.device}`,
        '--raw',
        '--format=s16le',
        `--rate=${SAMPLE_RATE}`,
        `--channels=${MIC_CHANNELS}`,
        '--latency-msec=60',
        '--client-name=browserpane',
        '--stream-name=microphone',
      ],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.pulseEnv },
      stdin: true,
    });
    return this.child;
  }
}
