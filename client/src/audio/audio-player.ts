import { jitterOptions } from './jitter-buffer.ts';
import {
  PLAYER_PROCESSOR,
  type PlayerCommand,
  type PlayerProcessorOptions,
  type PlayerReport,
  workletUrl,
} from './worklet-module.ts';

/** Where playback stands: not started, waiting for a user gesture (autoplay policy), or playing. */
export type PlaybackState = 'idle' | 'starting' | 'blocked' | 'running' | 'closed' | 'failed';

const GESTURES = ['pointerdown', 'keydown', 'touchend'] as const;

/**
 * Plays decoded audio: an AudioContext at the stream's rate with the jitter-buffer worklet. Browsers
 * start an AudioContext suspended until the user interacts with the page, so the player resumes it
 * on the first pointer or key event on the live view (and on `resume()`, e.g. a button).
 */
export class AudioPlayer {
  private context: AudioContext | undefined;
  private node: AudioWorkletNode | undefined;
  private opening: Promise<void> | undefined;
  private muted = false;
  private readonly gestureTarget: EventTarget;
  private readonly onGesture = () => void this.resume();
  report: PlayerReport | undefined;
  state: PlaybackState = 'idle';
  /** Blocks not handed to the worklet because playback was not running. */
  blocksNotPlayed = 0;

  constructor(
    gestureTarget: EventTarget,
    private readonly onState: (state: PlaybackState) => void,
  ) {
    this.gestureTarget = gestureTarget;
  }

  get sampleRate(): number | undefined {
    return this.context?.sampleRate;
  }

  /** Creates the context and worklet for `sampleRate` × `channels` (once). */
  open(sampleRate: number, channels: number): Promise<void> {
    this.opening ??= this.create(sampleRate, channels).catch(() => this.setState('failed'));
    return this.opening;
  }

  push(planes: Float32Array[]): void {
    const node = this.node;
    if (!node || this.state !== 'running') {
      this.blocksNotPlayed++;
      return;
    }
    const command: PlayerCommand = { type: 'pcm', planes };
    node.port.postMessage(
      command,
      planes.map((p) => p.buffer as ArrayBuffer),
    );
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.post({ type: 'mute', muted });
  }

  /** Resumes a suspended context (must run inside a user gesture to succeed). */
  async resume(): Promise<void> {
    const context = this.context;
    if (!context || context.state === 'closed') return;
    if (context.state !== 'running') {
      // resolves only once the browser allows playback: give up waiting after a second
      const wait = new Promise((r) => setTimeout(r, 1000));
      await Promise.race([context.resume().catch(() => undefined), wait]);
    }
    this.syncState();
  }

  close(): void {
    this.detachGestures();
    this.node?.disconnect();
    this.node = undefined;
    void this.context?.close().catch(() => undefined);
    this.context = undefined;
    this.setState('closed');
  }

  private async create(sampleRate: number, channels: number): Promise<void> {
    this.setState('starting');
    const context = new AudioContext({ sampleRate, latencyHint: 'interactive' });
    this.context = context;
    context.onstatechange = () => this.syncState();
    await context.audioWorklet.addModule(workletUrl());
    if (this.state === 'closed') return;
    const processorOptions: PlayerProcessorOptions = {
      jitter: jitterOptions(context.sampleRate, channels),
    };
    const node = new AudioWorkletNode(context, PLAYER_PROCESSOR, {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [channels],
      processorOptions,
    });
    node.port.onmessage = (e: MessageEvent<PlayerReport>) => {
      if (e.data?.type === 'stats') this.report = e.data;
    };
    node.connect(context.destination);
    this.node = node;
    this.post({ type: 'mute', muted: this.muted });
    for (const g of GESTURES) this.gestureTarget.addEventListener(g, this.onGesture, true);
    // Without a user gesture this promise stays pending until one comes: do not wait for it.
    if (context.state !== 'running') void context.resume().catch(() => undefined);
    this.syncState();
  }

  private syncState(): void {
    const context = this.context;
    if (!context || this.state === 'closed' || !this.node) return;
    if (context.state === 'running') {
      this.detachGestures();
      this.setState('running');
    } else if (context.state === 'suspended') this.setState('blocked');
  }

  private detachGestures(): void {
    for (const g of GESTURES) this.gestureTarget.removeEventListener(g, this.onGesture, true);
  }

  private post(command: PlayerCommand): void {
    this.node?.port.postMessage(command);
  }

  private setState(state: PlaybackState): void {
    if (this.state === state) return;
    this.state = state;
    this.onState(state);
  }
}
