import {
  CLOSE_CODES,
  type CloseCodeName,
  createFrameDecoder,
  decodeFrameFrom,
  encodeMessage,
  type Message,
  type MessageOf,
  ProtocolError,
} from '@browserpane/protocol';
import { countFramesOut } from '../metrics/traffic.ts';
import type { BidiStream, WtSession } from './transport-types.ts';

type FrameDecoder = ReturnType<typeof createFrameDecoder>;

export interface PeerOptions {
  readonly handshakeTimeoutMs: number;
  /** Close the connection when nothing arrives for this long (clients ping every few seconds). */
  readonly idleTimeoutMs: number;
  /** Bytes queued to the transport above which the peer counts as lagging. */
  readonly lagBytes: number;
  /** Bytes queued above which the peer is disconnected (`slow_consumer`). */
  readonly hardLimitBytes: number;
  /**
   * A frame the client started must be complete within `frameGraceMs` plus its declared length
   * at `frameMinBytesPerSecond`, or the connection is closed (`idle_timeout`): a client cannot hold
   * a half-sent frame (and the buffer it fills) forever by trickling bytes.
   */
  readonly frameGraceMs?: number;
  readonly frameMinBytesPerSecond?: number;
}

export const DEFAULT_PEER_OPTIONS: PeerOptions = {
  handshakeTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  lagBytes: 2 * 1024 * 1024,
  hardLimitBytes: 64 * 1024 * 1024,
  frameGraceMs: 10_000,
  frameMinBytesPerSecond: 64 * 1024,
};

export interface PeerStats {
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  framesSent: number;
  framesDropped: number;
  messagesRefused: number;
}

/** Messages kept between the hello and the hub's answer before the client counts as flooding. */
const MAX_EARLY_MESSAGES = 256;
/**
 * One client connection: the first bidirectional stream the client opens carries the framed
 * protocol. Decodes strictly (a malformed frame closes this connection only, with the protocol
 * error's close code), tracks bytes queued to the transport so a slow reader can be detected
 * without ever blocking anyone else, and closes itself when the client goes silent.
 */
export class Peer {
  readonly stats: PeerStats = {
    bytesIn: 0,
    bytesOut: 0,
    messagesIn: 0,
    framesSent: 0,
    framesDropped: 0,
    messagesRefused: 0,
  };
  private writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  private queued = 0;
  private lastHeard = Date.now();
  private closedFlag = false;
  private onMessage: (message: Message) => void = () => {};
  private onDrained: () => void = () => {};
  /** Messages that came after `clientHello` and before `listen`. */
  private readonly early: Message[] = [];
  private readonly closeListeners: Array<(code: number, reason: string) => void> = [];
  private idleTimer: NodeJS.Timeout | undefined;
  /** The frame being received: when it started, its declared length, its deadline. */
  private partial: { since: number; declared: number; timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly session: WtSession,
    private readonly options: PeerOptions = DEFAULT_PEER_OPTIONS,
  ) {
    session.closed.then(
      (info) => this.markClosed(info?.closeCode ?? 0, info?.reason ?? 'closed'),
      () => this.markClosed(CLOSE_CODES.normal, 'transport failed'),
    );
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Bytes handed to the transport and not yet accepted by it. */
  get queuedBytes(): number {
    return this.queued;
  }

  get lagging(): boolean {
    return this.queued > this.options.lagBytes;
  }

  /** Waits for the client's stream and its `clientHello`; refuses anything else. */
  async handshake(): Promise<MessageOf<'clientHello'>> {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new HandshakeError('handshake_timeout')),
        this.options.handshakeTimeoutMs,
      ).unref(),
    );
    const stream = await Promise.race([this.acceptStream(), timeout]);
    this.writer = stream.writable.getWriter();
    const hello = new Promise<MessageOf<'clientHello'>>((resolve, reject) => {
      let greeted = false;
      this.onMessage = (m) => {
        // what a client sends right after its hello (before the hub listens) is kept, not lost
        if (greeted) return this.keepEarly(m);
        greeted = m.type === 'clientHello';
        if (m.type === 'clientHello') resolve(m);
        else reject(new HandshakeError('handshake_required'));
      };
    });
    void this.readLoop(stream.readable);
    return Promise.race([hello, timeout]);
  }

  /** After the handshake: where decoded messages go. */
  listen(onMessage: (message: Message) => void, onDrained: () => void): void {
    this.onMessage = onMessage;
    this.onDrained = onDrained;
    for (const m of this.early.splice(0)) {
      if (this.closedFlag) break;
      onMessage(m);
    }
    this.idleTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > this.options.idleTimeoutMs)
        this.close('idle_timeout', 'no data from client');
    }, 2_000);
    this.idleTimer.unref();
  }

  onClose(listener: (code: number, reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  send(message: Message): void {
    this.sendBytes(encodeMessage(message));
  }

  /** Queues already-encoded frames (one buffer may hold many). */
  sendBytes(bytes: Uint8Array): void {
    if (this.closedFlag || !this.writer) return;
    if (this.queued + bytes.byteLength > this.options.hardLimitBytes) {
      this.close('slow_consumer', 'client is not reading');
      return;
    }
    this.queued += bytes.byteLength;
    this.stats.bytesOut += bytes.byteLength;
    countFramesOut(bytes);
    this.writer.write(bytes).then(
      () => {
        const wasLagging = this.lagging;
        this.queued -= bytes.byteLength;
        if (wasLagging && !this.lagging) this.onDrained();
      },
      () => this.markClosed(CLOSE_CODES.normal, 'write failed'),
    );
  }

  /** Sends `goodbye` (best effort) and closes with `code`. */
  close(code: CloseCodeName, message: string): void {
    if (this.closedFlag) return;
    const closeCode = CLOSE_CODES[code];
    try {
      if (this.writer)
        this.writer
          .write(encodeMessage({ type: 'goodbye', code: closeCode, message }))
          .catch(() => {});
    } catch {
      // the stream is already gone
    }
    this.markClosed(closeCode, code);
    // Give the goodbye a moment to leave before the session closes under it.
    setTimeout(() => {
      try {
        this.session.close({ closeCode, reason: code });
      } catch {
        // already closed
      }
    }, 50).unref();
  }

  private async acceptStream(): Promise<BidiStream> {
    const reader = this.session.incomingBidirectionalStreams.getReader();
    const { value, done } = await reader.read();
    reader.releaseLock();
    if (done || !value) throw new HandshakeError('handshake_required');
    return value;
  }

  private async readLoop(readable: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = createFrameDecoder();
    const reader = readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.closedFlag) break;
        this.lastHeard = Date.now();
        this.stats.bytesIn += value.byteLength;
        let completed = false;
        for (const frame of decoder.feed(value)) {
          completed = true;
          const message = decodeFrameFrom(frame, 'client');
          this.stats.messagesIn++;
          this.onMessage(message);
          if (this.closedFlag) return;
        }
        this.watchPartialFrame(decoder, completed);
      }
      this.close('normal', 'client closed its stream');
    } catch (err) {
      if (err instanceof ProtocolError) this.close(err.code, err.message.slice(0, 200));
      else if (err instanceof HandshakeError) this.close(err.code, 'expected clientHello first');
      else this.markClosed(CLOSE_CODES.normal, 'stream error');
    } finally {
      reader.releaseLock();
    }
  }

  /**
   * Arms (or re-arms) the deadline of the frame still being received after a chunk: a new one
   * when frames completed in the chunk, a longer one once its header (its length) is known.
   */
  private watchPartialFrame(decoder: FrameDecoder, completed: boolean): void {
    if (decoder.pendingBytes === 0) return this.clearPartial();
    const declared = Math.max(0, decoder.expectedLength);
    if (this.partial && !completed && this.partial.declared === declared) return;
    const since = this.partial && !completed ? this.partial.since : Date.now();
    this.clearPartial();
    const grace = this.options.frameGraceMs ?? DEFAULT_PEER_OPTIONS.frameGraceMs ?? 10_000;
    const rate =
      this.options.frameMinBytesPerSecond ?? DEFAULT_PEER_OPTIONS.frameMinBytesPerSecond ?? 65_536;
    const deadline = since + grace + (declared / rate) * 1000;
    const timer = setTimeout(
      () => this.close('idle_timeout', 'a frame was not completed in time'),
      Math.max(0, deadline - Date.now()),
    );
    timer.unref();
    this.partial = { since, declared, timer };
  }

  private clearPartial(): void {
    if (!this.partial) return;
    clearTimeout(this.partial.timer);
    this.partial = undefined;
  }

  private keepEarly(m: Message): void {
    if (this.early.length >= MAX_EARLY_MESSAGES)
      return this.close('rate_limited', 'too many messages before the session answered');
    this.early.push(m);
  }

  private markClosed(code: number, reason: string): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    clearInterval(this.idleTimer);
    this.clearPartial();
    for (const l of this.closeListeners) l(code, reason);
  }
}

export class HandshakeError extends Error {
  override readonly name = 'HandshakeError';
  constructor(readonly code: 'handshake_timeout' | 'handshake_required') {
    super(code);
  }
}
