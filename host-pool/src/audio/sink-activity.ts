import { execFile } from 'node:child_process';
import type { Logger } from '../log.ts';
import { AudioChild } from './child.ts';
import { SupervisedChild } from './supervised-child.ts';

export interface SinkActivityOptions {
  /** The sink whose playback is watched (Chromium's output). */
  readonly sink: string;
  readonly pulseEnv: Readonly<Record<string, string>>;
  readonly log: Logger;
  /** Called when the sink starts or stops playing something. */
  readonly onChange: (playing: boolean) => void;
  readonly pactlPath?: string;
}

/** Events come in bursts (a stream appears: client, sink-input, sink, source): one query each. */
const QUERY_DEBOUNCE_MS = 20;

/**
 * Whether anything plays into a sink, without recording it: PulseAudio marks a sink RUNNING
 * exactly while a stream that is not corked plays into it (recording its monitor does not count),
 * and announces every change on its event subscription. `pactl subscribe` is idle while nothing
 * changes, so a quiet session costs nothing; each change is confirmed with one sink list query.
 */
export class SinkActivity {
  private readonly watcher: SupervisedChild;
  private queryTimer: NodeJS.Timeout | undefined;
  private querying = false;
  private queryAgain = false;
  private current = false;
  /** The watch failed for good: the sink counts as playing from then on. */
  private gaveUp = false;

  constructor(private readonly options: SinkActivityOptions) {
    this.watcher = new SupervisedChild({
      spawn: () => this.spawn(),
      onGiveUp: (child) => {
        // without the watch, assume sound so desktop audio still works (it only costs CPU)
        options.log.error('cannot watch the audio sink; capturing all the time', {
          stderr: child.log().slice(-300),
        });
        this.gaveUp = true;
        this.set(true);
      },
    });
  }

  /** Whether the sink was playing at the last check. */
  get playing(): boolean {
    return this.current;
  }

  start(): void {
    if (!this.gaveUp) this.watcher.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.queryTimer);
    await this.watcher.stop();
  }

  /** The daemon restarted: subscribe to the new one. */
  restart(): void {
    this.watcher.restart();
  }

  private spawn(): AudioChild {
    const child = new AudioChild({
      command: this.options.pactlPath ?? 'pactl',
      args: ['subscribe'],
      env: this.env(),
      stdout: true,
    });
    let partial = '';
    child.child.stdout?.setEncoding('utf8');
    child.child.stdout?.on('data', (chunk: string) => {
      if (this.watcher.current !== child) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      if (lines.some((line) => / on (sink|sink-input) #/.test(line))) this.scheduleQuery();
    });
    // the state before the subscription started
    this.scheduleQuery();
    return child;
  }

  private scheduleQuery(): void {
    clearTimeout(this.queryTimer);
    this.queryTimer = setTimeout(() => void this.query(), QUERY_DEBOUNCE_MS);
    this.queryTimer.unref();
  }

  private async query(): Promise<void> {
    if (this.querying) {
      this.queryAgain = true;
      return;
    }
    this.querying = true;
    try {
      const state = await sinkState(
        this.options.pactlPath ?? 'pactl',
        this.env(),
        this.options.sink,
      );
      if (this.watcher.current && state !== undefined) this.set(state === 'RUNNING');
    } catch (err) {
      this.options.log.warn('audio sink query failed', { err });
    } finally {
      this.querying = false;
      if (this.queryAgain) {
        this.queryAgain = false;
        this.scheduleQuery();
      }
    }
  }

  private set(playing: boolean): void {
    if (playing === this.current) return;
    this.current = playing;
    this.options.onChange(playing);
  }

  private env(): Record<string, string> {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', ...this.options.pulseEnv };
  }
}

/** The sink's state (`RUNNING`, `IDLE`, `SUSPENDED`) from `pactl list short sinks`. */
export function sinkState(
  pactl: string,
  env: Record<string, string>,
  sink: string,
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    execFile(pactl, ['list', 'short', 'sinks'], { env, timeout: 5000 }, (err, stdout) => {
      if (err) return reject(err);
      resolve(parseSinkState(stdout, sink));
    });
  });
}

/** Parses `index\tname\tdriver\tspec\tSTATE` lines. */
export function parseSinkState(listing: string, sink: string): string | undefined {
  for (const line of listing.split('\n')) {
    const fields = line.split('\t');
    if (fields[1] === sink) return fields[4]?.trim();
  }
  return undefined;
}
