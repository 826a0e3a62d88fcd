import {
  createJitterBuffer,
  type JitterBuffer,
  type JitterBufferOptions,
} from './jitter-buffer.ts';

/** Processor names registered by the module. */
export const PLAYER_PROCESSOR = 'browserpane-audio-player';
export const CAPTURE_PROCESSOR = 'browserpane-mic-capture';

/** Main thread → player. */
export type PlayerCommand =
  | { readonly type: 'pcm'; readonly planes: Float32Array[] }
  | { readonly type: 'mute'; readonly muted: boolean }
  | { readonly type: 'reset' };

/** Player → main thread, four times a second. */
export interface PlayerReport {
  readonly type: 'stats';
  readonly buffered: number;
  readonly playing: boolean;
  readonly underruns: number;
  readonly droppedFrames: number;
  readonly playedFrames: number;
  readonly silentFrames: number;
}

export interface PlayerProcessorOptions {
  readonly jitter: JitterBufferOptions;
}

export interface CaptureProcessorOptions {
  /** Frames per message (20 ms at the context's rate). */
  readonly blockFrames: number;
}

interface ProcessorBase {
  readonly port: MessagePort;
}

/** The globals of an AudioWorkletGlobalScope this module uses. */
export interface WorkletScope {
  readonly AudioWorkletProcessor: new () => ProcessorBase;
  registerProcessor(
    name: string,
    ctor: new (options: { processorOptions: unknown }) => ProcessorBase,
  ): void;
  readonly currentTime: number;
}

/**
 * Runs inside the worklet: registers the playback processor (jitter buffer → output, mute) and
 * the capture processor (microphone input → 20 ms mono blocks to the main thread). Like the
 * jitter buffer it is sent as source text, so it only uses its parameters.
 */
export function defineProcessors(
  makeBuffer: (options: JitterBufferOptions) => JitterBuffer,
  scope: WorkletScope,
): void {
  class Player extends scope.AudioWorkletProcessor {
    buffer: JitterBuffer;
    muted: boolean;
    lastReport: number;

    constructor(init: { processorOptions: unknown }) {
      super();
      const options = init.processorOptions as PlayerProcessorOptions;
      this.buffer = makeBuffer(options.jitter);
      this.muted = false;
      this.lastReport = -1;
      this.port.onmessage = (e: MessageEvent<PlayerCommand>) => {
        const command = e.data;
        if (command.type === 'pcm') this.buffer.push(command.planes);
        else if (command.type === 'mute') this.muted = command.muted;
        else if (command.type === 'reset') this.buffer.reset();
      };
    }

    process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
      const out = outputs[0];
      if (!out || out.length === 0) return true;
      this.buffer.pull(out, (out[0] as Float32Array).length);
      if (this.muted) for (const channel of out) channel.fill(0);
      if (scope.currentTime - this.lastReport >= 0.25 || this.lastReport < 0) {
        this.lastReport = scope.currentTime;
        const s = this.buffer.stats;
        const report: PlayerReport = {
          type: 'stats',
          buffered: this.buffer.buffered,
          playing: this.buffer.playing,
          underruns: s.underruns,
          droppedFrames: s.droppedFrames,
          playedFrames: s.playedFrames,
          silentFrames: s.silentFrames,
        };
        this.port.postMessage(report);
      }
      return true;
    }
  }

  class Capture extends scope.AudioWorkletProcessor {
    block: number;
    pending: Float32Array;
    filled: number;

    constructor(init: { processorOptions: unknown }) {
      super();
      this.block = (init.processorOptions as CaptureProcessorOptions).blockFrames;
      this.pending = new Float32Array(this.block);
      this.filled = 0;
    }

    process(inputs: Float32Array[][]): boolean {
      const input = inputs[0];
      const first = input?.[0];
      if (!input || !first) return true;
      for (let i = 0; i < first.length; i++) {
        let sum = 0;
        for (const channel of input) sum += channel[i] as number;
        this.pending[this.filled++] = sum / input.length;
        if (this.filled === this.block) {
          this.port.postMessage(this.pending, [this.pending.buffer]);
          this.pending = new Float32Array(this.block);
          this.filled = 0;
        }
      }
      return true;
    }
  }

  scope.registerProcessor('browserpane-audio-player', Player);
  scope.registerProcessor('browserpane-mic-capture', Capture);
}

/** The worklet module's source: the jitter buffer and the processors, as text. */
export function workletSource(): string {
  return `const makeBuffer = ${createJitterBuffer.toString()};\n(${defineProcessors.toString()})(makeBuffer, globalThis);\n`;
}

let moduleUrl: string | undefined;

/** A blob: URL of the worklet module (made once per page). */
export function workletUrl(): string {
  moduleUrl ??= URL.createObjectURL(new Blob([workletSource()], { type: 'text/javascript' }));
  return moduleUrl;
}
