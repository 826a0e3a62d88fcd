import type { CapabilityName, Message, MessageType } from '@browserpane/protocol';
import type { CanvasSurface } from './render/surface.ts';
import type { Stage } from './stage.ts';

/** What a client feature may use. */
export interface ClientFeatureContext {
  /** The DOM of the live view (container, picture canvas, focus target). */
  readonly stage: Stage;
  /** The picture surface (video draws over the tiles here). */
  readonly surface: CanvasSurface;
  /** Capabilities the server granted. */
  readonly capabilities: readonly CapabilityName[];
  send(message: Message): void;
  /** Whether this participant's input is applied right now. */
  controls(): boolean;
  /** Access flags the server reported (`viewOnly`, `resizeAllowed`, …), current. */
  access(): readonly string[];
  /** Emits `{ type: 'feature', feature, event, detail }` to the client's listeners. */
  emit(event: string, detail?: unknown): void;
}

export interface AttachedFeature {
  /** Messages of the types the feature declared. */
  onMessage?(message: Message): void;
  /** The server's access flags changed (ownership, exclusive mode). */
  onAccessChange?(): void;
  dispose(): void;
}

/**
 * One capability of the SDK beyond tiles, cursor and input (resize, clipboard, files, audio,
 * microphone, camera, video). A feature asks for capabilities in `clientHello`, receives the
 * message types it declares, and exposes its own API through `client.feature(name)`.
 */
export interface ClientFeature<A extends AttachedFeature = AttachedFeature> {
  readonly name: string;
  /** Capabilities to request in `clientHello`. */
  readonly wants: readonly CapabilityName[];
  /** Server → client message types routed to this feature. */
  readonly messages: readonly MessageType[];
  attach(ctx: ClientFeatureContext): A;
}
