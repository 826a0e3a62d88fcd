import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Logger } from '../log.ts';
import { frameBytes, OUT_CHANNELS, samplesToMicros } from './pcm-format.ts';
import { PcmFramer } from './pcm-framer.ts';

/**
 * Data that arrives this much later than the end of the audio read so far (by the wall clock)
 * starts a new run: the sink was suspended in between. A late read of our own (a busy event loop)
 * brings the data that piled up, which still lines up with the clock, so it does not count.
 */
const GAP_US = 100_000;
const FRAME_BYTES = frameBytes(OUT_CHANNELS);
const BYTES_PER_SAMPLE_FRAME = OUT_CHANNELS * 2;

export interface PipeCaptureOptions {
  /** The FIFO the session's pipe sink writes its output into (48 kHz stereo s16le). */
  readonly path: string;
  readonly log: Logger;
  /** Every complete 20 ms frame, with its presentation time (µs, wall clock). */
  readonly onFrame: (pcm: Buffer, ptsUs: number) => void;
}

/**
 * Reads the desktop sound the session's pipe sink writes into a FIFO, cut into 20 ms frames.
 * PulseAudio writes only while the sink runs (something plays, and a second after), from the
 * first sample; while the sink is suspended nothing is written and nothing here wakes up. The
 * FIFO is opened for reading and writing, so it never reports end-of-file when the daemon
 * restarts (the new daemon writes into the same FIFO).
 */
export class PipeCapture {
  private readonly framer = new PcmFramer(FRAME_BYTES);
  private socket: Socket | undefined;
  /** Wall-clock start of the current run, and the samples read in it (framed or not). */
  private runStartUs = Number.NEGATIVE_INFINITY;
  private runSamples = 0;
  private framedSamples = 0;
  /** Frames read since the capture opened. */
  frames = 0;

  constructor(private readonly options: PipeCaptureOptions) {}

  get open(): boolean {
    return this.socket !== undefined;
  }

  /** Starts reading (idempotent). */
  start(): void {
    if (this.socket) return;
    let fd: number;
    try {
      fd = openPipe(this.options.path);
    } catch (err) {
      this.options.log.error('cannot open the desktop audio pipe', { err });
      return;
    }
    let socket: Socket;
    try {
      socket = new Socket({ fd, readable: true, writable: false });
    } catch (err) {
      closeSync(fd);
      this.options.log.error('cannot read the desktop audio pipe', { err });
      return;
    }
    this.socket = socket;
    this.framer.reset();
    this.runStartUs = Number.NEGATIVE_INFINITY;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.options.log.warn('desktop audio pipe failed', { err });
      if (this.socket === socket) this.socket = undefined;
      socket.destroy();
    });
  }

  /** Stops reading and closes the FIFO. */
  stop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }

  private onData(chunk: Buffer): void {
    const samples = Math.floor(chunk.byteLength / BYTES_PER_SAMPLE_FRAME);
    const now = nowUs();
    // the chunk's first sample was rendered about its own length ago
    const chunkStartUs = now - samplesToMicros(samples);
    if (chunkStartUs > this.runStartUs + samplesToMicros(this.runSamples) + GAP_US) {
      this.framer.reset();
      this.runStartUs = chunkStartUs;
      this.runSamples = 0;
      this.framedSamples = 0;
    }
    this.runSamples += samples;
    for (const frame of this.framer.push(chunk)) {
      const ptsUs = this.runStartUs + samplesToMicros(this.framedSamples);
      this.framedSamples += frame.byteLength / BYTES_PER_SAMPLE_FRAME;
      this.frames++;
      this.options.onFrame(frame, ptsUs);
    }
  }
}

/**
 * Opens the FIFO for reading and writing, without blocking. It lives in a directory the session's
 * sandboxed user owns, so the session could put something else in its place: a link is not
 * followed, and anything but a FIFO is refused (the agent would otherwise stream a host file it
 * can read to the session's participants as "sound").
 */
export function openPipe(path: string): number {
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    if (!fstatSync(fd).isFIFO()) throw new Error(`${path} is not a FIFO`);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
