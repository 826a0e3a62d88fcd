import type { Logger } from '../log.ts';
import { AudioChild } from './child.ts';
import { frameBytes, OUT_CHANNELS, SAMPLE_RATE } from './pcm-format.ts';
import { PcmFramer } from './pcm-framer.ts';
import { SupervisedChild } from './supervised-child.ts';

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

/**
 * Records a PulseAudio source with `parec` (raw 48 kHz stereo s16le, 20 ms fragments) and cuts
 * the stream into 20 ms frames. Restarts `parec` when it dies while capture is wanted (the
 * daemon restarted, say) with a growing pause, and gives up after repeated quick failures.
 */
export class PcmCapture {
  private readonly framer = new PcmFramer(frameBytes(OUT_CHANNELS));
  private readonly recorder: SupervisedChild;
  private samples = 0;
  /** Frames delivered since the first start. */
  frames = 0;
  restarts = 0;

  constructor(private readonly options: PcmCaptureOptions) {
    this.recorder = new SupervisedChild({
      spawn: () => this.spawn(),
      onRestart: (exit) => {
        options.log.warn('desktop audio capture exited; restarting', {
          code: exit.code,
          signal: exit.signal,
        });
        this.restarts++;
      },
      onGiveUp: (child) =>
        options.log.error('desktop audio capture keeps failing; giving up', {
          stderr: child.log().slice(-300),
        }),
    });
  }

  get running(): boolean {
    return this.recorder.running;
  }

  get pid(): number | undefined {
    return this.recorder.current?.pid;
  }

  start(): void {
    this.recorder.start();
  }

  /**
   * Stops recording. The framer is reset when the next recorder spawns, not here: a start() may
   * already have spawned it while this one was stopping.
   */
  stop(): Promise<void> {
    return this.recorder.stop();
  }

  /** Restarts the recorder now (after the daemon came back). */
  restart(): void {
    this.recorder.restart();
  }

  private spawn(): AudioChild {
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
    child.child.stdout?.on('data', (chunk: Buffer) => {
      if (this.recorder.current !== child) return;
      for (const frame of this.framer.push(chunk)) {
        const offset = this.samples;
        this.samples += frame.byteLength / (OUT_CHANNELS * 2);
        this.frames++;
        options.onFrame(frame, offset);
      }
    });
    return child;
  }
}
