import type { Logger } from '../log.ts';
import { AudioChild } from './child.ts';
import { frameBytes, OUT_CHANNELS, SAMPLE_RATE } from './pcm-format.ts';
import { PcmFramer } from './pcm-framer.ts';

export interface PcmCaptureOptions {
  /** The PulseAudio source to record (a null sink's monitor). */
  readonly device: string;
  /** Client environment for the session's daemon (`PULSE_SERVER` …). */
  readonly pulseEnv: Readonly<Record<string, string>>;
  readonly log: Logger;
  /** Called with every complete 20 ms s16le stereo frame and its sample offset since start. */
  readonly onFrame: (pcm: Buffer, sampleOffset: number) => void;
  readonly parecPath?: string;
}

const MAX_QUICK_RESTARTS = 5;
const QUICK_MS = 10_000;

/**
 * Records a PulseAudio source with `parec` (raw 48 kHz stereo s16le, 20 ms fragments) and cuts
 * the stream into 20 ms frames. Restarts `parec` when it dies while capture is wanted (the
 * daemon restarted, say) with a growing pause, and gives up after repeated quick failures.
 */
export class PcmCapture {
  private child: AudioChild | undefined;
  private readonly framer = new PcmFramer(frameBytes(OUT_CHANNELS));
  private samples = 0;
  private wanted = false;
  private failures: number[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  /** Frames delivered since the first start. */
  frames = 0;
  restarts = 0;

  constructor(private readonly options: PcmCaptureOptions) {}

  get running(): boolean {
    return this.child?.running ?? false;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.failures = [];
    this.spawn();
  }

  async stop(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    const child = this.child;
    this.child = undefined;
    // the framer is reset when the next recorder spawns, not here: a start() may already have
    // spawned it while this one was stopping
    await child?.stop(1000);
  }

  /** Restarts the recorder now (after the daemon came back). */
  restart(): void {
    if (!this.wanted) return;
    const old = this.child;
    this.child = undefined;
    void old?.stop(500);
    clearTimeout(this.retryTimer);
    this.spawn();
  }

  private spawn(): void {
    const { options } = this;
    this.framer.reset();
    this.samples = 0;
    const child = new AudioChild({
      command: options.parecPath ?? 'parec',
      args: [
        `--device=${options.device}`,
        '--raw',
        '--format=s16le',
        `--rate=${SAMPLE_RATE}`,
        `--channels=${OUT_CHANNELS}`,
        '--latency-msec=20',
        '--client-name=browserpane',
        '--stream-name=desktop-capture',
      ],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.pulseEnv },
      stdout: true,
    });
    this.child = child;
    child.child.stdout?.on('data', (chunk: Buffer) => {
      if (this.child !== child) return;
      for (const frame of this.framer.push(chunk)) {
        const offset = this.samples;
        this.samples += frame.byteLength / (OUT_CHANNELS * 2);
        this.frames++;
        options.onFrame(frame, offset);
      }
    });
    void child.exited.then((exit) => {
      if (this.child !== child || !this.wanted || child.stopped) return;
      this.child = undefined;
      const now = Date.now();
      this.failures = this.failures.filter((t) => now - t < QUICK_MS);
      this.failures.push(now);
      if (this.failures.length > MAX_QUICK_RESTARTS) {
        options.log.error('desktop audio capture keeps failing; giving up', {
          stderr: child.log().slice(-300),
        });
        this.wanted = false;
        return;
      }
      options.log.warn('desktop audio capture exited; restarting', {
        code: exit.code,
        signal: exit.signal,
      });
      this.restarts++;
      this.retryTimer = setTimeout(() => {
        if (this.wanted && !this.child) this.spawn();
      }, 200 * this.failures.length);
      this.retryTimer.unref();
    });
  }
}
