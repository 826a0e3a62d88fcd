import {
  ACCESS_FLAG_NAMES,
  type CapabilityName,
  capabilityList,
  capabilityMask,
  fitUtf8,
  flagList,
  type Message,
  type MessageOf,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  type Role,
} from '@browserpane/protocol';
import { CursorLayer } from './cursor/cursor-layer.ts';
import type { AttachedFeature, ClientFeature } from './feature.ts';
import { defaultFeatures } from './features.ts';
import { attachKeyboard } from './input/keyboard.ts';
import { attachPointer } from './input/pointer.ts';
import { type CloseInfo, ProtocolConnection } from './protocol-connection.ts';
import { type DecodePool, InlineDecodePool, WorkerDecodePool } from './render/decode-pool.ts';
import { CanvasSurface } from './render/surface.ts';
import { TileRenderer } from './render/tile-renderer.ts';
import { type ScaleMode, Stage } from './stage.ts';
import { type ClientStats, FpsMeter } from './stats.ts';

export interface BrowserPaneClientOptions {
  /** The element the live view fills. */
  readonly container: HTMLElement;
  /** The relay URL from the edge's ticket answer (`relay_url`). */
  readonly relayUrl: string;
  readonly sessionId: string;
  /** A connect ticket from `POST /api/v1/sessions/{id}/access-tokens`. */
  readonly ticket: string;
  /** The role to join as (a viewer ticket cannot become owner; an owner may join as viewer). */
  readonly role?: Role;
  /**
   * The ticket's `cert_sha256`: pins a short-lived self-signed relay certificate for native
   * HTTP/3; null or absent when the relay has a CA certificate (validated the usual way).
   */
  readonly certSha256Hex?: string | null;
  readonly forceWebSocket?: boolean;
  /** URL of the tile decode worker script; `false` decodes on the main thread. */
  readonly workerUrl?: string | false;
  readonly clientName?: string;
  /** Features to enable (default: all of `defaultFeatures()`). */
  readonly features?: readonly ClientFeature[];
}

export interface Participant {
  readonly connectionId: string;
  readonly role: Role;
  readonly displayName: string;
}

export type ClientEvent =
  | { type: 'frame'; seq: number; hostTimestampUs: number }
  | { type: 'resize'; width: number; height: number }
  | { type: 'participants'; participants: Participant[] }
  | { type: 'ownership'; role: Role; access: string[]; ownerConnectionId: string }
  | { type: 'notice'; level: string; code: number; message: string }
  | { type: 'feature'; feature: string; event: string; detail?: unknown }
  | { type: 'closed'; code: number; reason: string };

/** What every client asks for; features add theirs. The server grants a subset. */
const WANTED: CapabilityName[] = ['input', 'tileCache', 'copyRect', 'cursor'];

/**
 * A live view of a BrowserPane session in any `<div>`: connects to the host relay with a connect
 * ticket, renders the lossless tiles into a canvas, draws the remote cursor, sends keyboard and
 * pointer input when this participant controls, and reports latency and frame statistics.
 */
export class BrowserPaneClient {
  readonly connectionId: string;
  readonly sessionId: string;
  readonly capabilities: CapabilityName[];
  role: Role;
  access: string[];
  private readonly stage: Stage;
  private readonly renderer: TileRenderer;
  private readonly cursor: CursorLayer;
  private readonly decoder: DecodePool;
  private readonly fps = new FpsMeter();
  private readonly listeners = new Set<(e: ClientEvent) => void>();
  private readonly participants = new Map<string, Participant>();
  private readonly detach: Array<() => void> = [];
  private readonly attached = new Map<string, AttachedFeature>();
  private readonly routes = new Map<string, AttachedFeature[]>();
  /** Events from before anyone listened (notices that came with the first picture …). */
  private backlog: ClientEvent[] | undefined = [];
  private rttMs = 0;
  private pingSeq = 0;
  private closedInfo: CloseInfo | undefined;

  private constructor(
    readonly options: BrowserPaneClientOptions,
    private readonly connection: ProtocolConnection,
    hello: MessageOf<'serverHello'>,
  ) {
    this.connectionId = hello.connectionId;
    this.sessionId = hello.sessionId;
    this.capabilities = capabilityList(hello.capabilities);
    this.role = hello.role;
    this.access = flagList(ACCESS_FLAG_NAMES, hello.access);
    this.stage = new Stage(options.container);
    this.stage.setRemoteSize(hello.displayWidth, hello.displayHeight);
    this.decoder = options.workerUrl
      ? new WorkerDecodePool(options.workerUrl)
      : new InlineDecodePool();
    const surface = new CanvasSurface(this.stage.screen);
    this.renderer = new TileRenderer(surface, this.decoder, {
      send: (m) => this.connection.send(m),
      presented: (seq, ts) => {
        this.fps.tick();
        this.emit({ type: 'frame', seq, hostTimestampUs: ts });
      },
      resized: (width, height) => {
        this.stage.setRemoteSize(width, height);
        this.cursor.resize(width, height);
        this.emit({ type: 'resize', width, height });
      },
    });
    this.cursor = new CursorLayer(this.stage.cursor, this.stage.input);
    const canControl = () => this.controls;
    this.detach.push(attachKeyboard(this.stage.input, (m) => this.connection.send(m), canControl));
    this.detach.push(
      attachPointer(this.stage.input, this.stage.screen, {
        send: (m) => this.connection.send(m),
        enabled: canControl,
        hover: (inside) => this.cursor.setLocal(inside, this.controls),
      }),
    );
    for (const feature of options.features ?? defaultFeatures()) {
      const attached = feature.attach({
        stage: this.stage,
        surface,
        capabilities: this.capabilities,
        send: (m) => this.connection.send(m),
        controls: () => this.controls,
        access: () => this.access,
        emit: (event, detail) =>
          this.emit({ type: 'feature', feature: feature.name, event, detail }),
      });
      this.attached.set(feature.name, attached);
      for (const type of feature.messages)
        this.routes.set(type, [...(this.routes.get(type) ?? []), attached]);
      this.detach.push(() => attached.dispose());
    }
    const pinger = setInterval(() => this.ping(), 5_000);
    this.detach.push(() => clearInterval(pinger));
    connection.listen((m) => this.onMessage(m));
    void connection.closed.then((info) => this.onClosed(info));
    this.ping();
  }

  /** Connects to the relay and shows the session in `options.container`. */
  static async connect(options: BrowserPaneClientOptions): Promise<BrowserPaneClient> {
    const base = options.relayUrl.replace(/\/+$/, '');
    const url = `${base}/sessions/${encodeURIComponent(options.sessionId)}/connect?ticket=${encodeURIComponent(options.ticket)}`;
    const rect = options.container.getBoundingClientRect();
    const dpr = globalThis.devicePixelRatio || 1;
    const { connection, serverHello } = await ProtocolConnection.open(
      url,
      {
        type: 'clientHello',
        minVersion: MIN_PROTOCOL_VERSION,
        maxVersion: PROTOCOL_VERSION,
        role: options.role ?? 'owner',
        capabilities: capabilityMask([
          ...WANTED,
          ...(options.features ?? defaultFeatures()).flatMap((f) => f.wants),
        ]),
        viewportWidth: Math.min(65535, Math.max(1, Math.round(rect.width * dpr))),
        viewportHeight: Math.min(65535, Math.max(1, Math.round(rect.height * dpr))),
        devicePixelRatioPercent: Math.round(dpr * 100),
        clientName: fitUtf8(
          options.clientName ?? globalThis.navigator?.userAgent ?? 'browser',
          128,
        ),
      },
      { certSha256Hex: options.certSha256Hex, forceWebSocket: options.forceWebSocket },
    );
    return new BrowserPaneClient(options, connection, serverHello);
  }

  /** A feature's API (`client.feature<FilesApi>('files')`), when enabled. */
  feature<T extends AttachedFeature>(name: string): T | undefined {
    return this.attached.get(name) as T | undefined;
  }

  /** Whether this participant's input is applied (owner, and the controller in exclusive mode). */
  get controls(): boolean {
    return this.capabilities.includes('input') && !this.access.includes('viewOnly');
  }

  get transport(): string {
    return this.connection.kind;
  }

  /**
   * Listens to the client's events. The first listener also gets, at once, the events that came
   * before it was added (except frames): a notice sent with the first picture is not lost.
   */
  on(listener: (e: ClientEvent) => void): () => void {
    this.listeners.add(listener);
    const missed = this.backlog;
    this.backlog = undefined;
    for (const e of missed ?? []) listener(e);
    return () => this.listeners.delete(listener);
  }

  /** Sends a protocol message as is (advanced use; the relay enforces policy either way). */
  send(message: Message): void {
    this.connection.send(message);
  }

  focus(): void {
    this.stage.input.focus({ preventScroll: true });
  }

  /** How the picture meets a container of another size (`fit`, the default, or `actual`). */
  get scaleMode(): ScaleMode {
    return this.stage.scaleMode;
  }

  /** Shrinks the picture to fit the container, or shows it at actual size with scrolling. */
  setScaleMode(mode: ScaleMode): void {
    this.stage.setScaleMode(mode);
  }

  /** The picture canvas (for screenshots and pixel checks). */
  get canvas(): HTMLCanvasElement {
    return this.stage.screen;
  }

  /** Resolves once every frame received so far is drawn. */
  settled(): Promise<void> {
    return this.renderer.idle();
  }

  stats(): ClientStats {
    const r = this.renderer.stats;
    return {
      transport: this.connection.kind,
      bytesIn: this.connection.bytesIn,
      bytesOut: this.connection.bytesOut,
      framesPresented: r.framesPresented,
      fps: this.fps.fps,
      rttMs: this.rttMs,
      tilesDecoded: r.tilesDecoded,
      tilesFromCache: r.tilesFromCache,
      cacheMisses: r.cacheMisses,
      decodeErrors: r.decodeErrors,
      lastDecodeMs: r.lastDecodeMicros / 1000,
    };
  }

  get closed(): CloseInfo | undefined {
    return this.closedInfo;
  }

  disconnect(): void {
    this.connection.close(0, 'client disconnected');
  }

  /** Disconnects (if still connected) and removes the live view from its container. */
  destroy(): void {
    if (!this.closedInfo) this.disconnect();
    this.stage.destroy();
  }

  private ping(): void {
    this.connection.send({
      type: 'ping',
      seq: ++this.pingSeq,
      timestampUs: Math.round(performance.now() * 1000),
    });
    const r = this.renderer.stats;
    this.connection.send({
      type: 'statsReport',
      framesDrawn: r.framesPresented,
      tilesDecoded: r.tilesDecoded,
      decodeMicrosP50: r.lastDecodeMicros,
      rttMicros: Math.round(this.rttMs * 1000),
      visible: globalThis.document?.visibilityState !== 'hidden',
    });
  }

  private onMessage(m: Message): void {
    switch (m.type) {
      case 'gridConfig':
      case 'frameBegin':
      case 'frameEnd':
      case 'tileFill':
      case 'tileCached':
      case 'tileEncoded':
      case 'copyRect':
        return this.renderer.handle(m);
      case 'cursorShape':
        return this.cursor.shape(m);
      case 'cursorCached':
        return this.cursor.cached(m.serial);
      case 'cursorPosition':
        return this.cursor.moved(m);
      case 'ping':
        return this.connection.send({
          type: 'pong',
          seq: m.seq,
          echoTimestampUs: m.timestampUs,
          timestampUs: Math.round(performance.now() * 1000),
        });
      case 'pong':
        this.rttMs = Math.max(0, performance.now() - m.echoTimestampUs / 1000);
        return;
      case 'participantJoined':
        this.participants.set(m.connectionId, {
          connectionId: m.connectionId,
          role: m.role,
          displayName: m.displayName,
        });
        return this.emit({ type: 'participants', participants: [...this.participants.values()] });
      case 'participantLeft':
        this.participants.delete(m.connectionId);
        return this.emit({ type: 'participants', participants: [...this.participants.values()] });
      case 'ownershipChanged':
        this.role = m.yourRole;
        this.access = flagList(ACCESS_FLAG_NAMES, m.yourAccess);
        this.cursor.setLocal(false, this.controls);
        for (const f of this.attached.values()) f.onAccessChange?.();
        return this.emit({
          type: 'ownership',
          role: m.yourRole,
          access: this.access,
          ownerConnectionId: m.ownerConnectionId,
        });
      case 'notice':
        for (const f of this.routes.get(m.type) ?? []) f.onMessage?.(m);
        return this.emit({ type: 'notice', level: m.level, code: m.code, message: m.message });
      case 'goodbye':
        this.closedInfo ??= { code: m.code, reason: m.message };
        return;
      default:
        for (const f of this.routes.get(m.type) ?? []) f.onMessage?.(m);
        return;
    }
  }

  private onClosed(info: CloseInfo): void {
    this.closedInfo ??= info;
    for (const d of this.detach) d();
    this.decoder.close();
    this.emit({ type: 'closed', code: this.closedInfo.code, reason: this.closedInfo.reason });
  }

  private emit(event: ClientEvent): void {
    if (this.backlog && event.type !== 'frame' && this.backlog.length < 64)
      this.backlog.push(event);
    for (const l of this.listeners) l(event);
  }
}
