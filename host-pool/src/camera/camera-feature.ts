import { basename } from 'node:path';
import { CAP, CLOSE_CODES } from '@browserpane/protocol';
import type { SessionOptions } from '../control/edge-client.ts';
import type { Logger } from '../log.ts';
import { loadNodeAv } from '../media/node-av.ts';
import type { Participant } from '../relay/participant.ts';
import type { SessionSandbox } from '../sandbox/index.ts';
import type { FeatureContext, PreparedFeature, SessionFeature } from '../sessions/feature.ts';
import { CameraInput, deviceSinkFactory, type SinkFactory } from './camera-input.ts';
import { DeviceLeases, type DeviceScanOptions, findLoopbackDevices } from './loopback-devices.ts';

/** Told to a participant whose ticket allows the camera when this host cannot serve it. */
export const NO_CAMERA_DEVICE =
  'Camera unavailable: this host has no virtual camera device (v4l2loopback)';
export const CAMERA_DEVICES_BUSY =
  'Camera unavailable: every virtual camera device on this host is in use';

export interface CameraFeatureOptions extends DeviceScanOptions {
  /** Where pictures go (tests: a file); default the session's leased loopback device. */
  readonly sinkFor?: (devicePath: string) => SinkFactory;
}

/**
 * Camera in: offered only on hosts with a writable v4l2loopback device and an H.264 decoder
 * (capability 0 otherwise, so the handshake never grants it). Off by default per session; a
 * session that enables it leases one device, and its owner's H.264 becomes that webcam. Where the
 * host cannot, participants whose ticket allowed the camera get a notice saying why.
 */
export class CameraFeature implements SessionFeature {
  readonly name = 'camera';
  private readonly leases = new DeviceLeases();
  private decoder: Promise<boolean> | undefined;

  constructor(private readonly options: CameraFeatureOptions = {}) {}

  async capabilities(): Promise<number> {
    if (findLoopbackDevices(this.options).length === 0) return 0;
    this.decoder ??= loadNodeAv().then(
      ({ av, constants }) => av.Codec.findDecoder(constants.AV_CODEC_ID_H264) !== null,
      () => false,
    );
    return (await this.decoder) ? CAP.camera : 0;
  }

  /**
   * A sandboxed browser sees no device it was not given, so a session that wants the camera
   * leases its device before the browser starts, and the sandbox binds that one node into the
   * browser's view. (Session directories are named by session id: the lease is the session's.)
   */
  async prepare(
    sessionDir: string,
    _log: Logger,
    options: SessionOptions,
    sandbox: SessionSandbox | undefined,
  ): Promise<PreparedFeature> {
    const sessionId = basename(sessionDir);
    const device =
      sandbox && options.capabilities.camera === true
        ? this.leases.lease(sessionId, findLoopbackDevices(this.options))
        : undefined;
    if (!device) return { setup: {}, cleanup: async () => undefined };
    return {
      setup: { browserDevices: [device] },
      cleanup: async () => this.leases.release(sessionId),
    };
  }

  async attach(ctx: FeatureContext): Promise<() => Promise<void>> {
    const { hub, sessionId } = ctx;
    const wanted = ctx.options.capabilities.camera === true;
    const devices = wanted ? findLoopbackDevices(this.options) : [];
    const device = wanted
      ? (this.leases.held(sessionId) ?? this.leases.lease(sessionId, devices))
      : undefined;
    const reason = devices.length === 0 ? NO_CAMERA_DEVICE : CAMERA_DEVICES_BUSY;
    const input = device
      ? new CameraInput({
          log: ctx.log,
          record: ctx.record,
          openSink: (this.options.sinkFor ?? deviceSinkFactory)(device),
        })
      : undefined;
    if (wanted && !device) ctx.log.info('camera enabled but not available here', { reason });
    const tell = (p: Participant) =>
      p.peer.send({
        type: 'notice',
        level: 'warning',
        code: CLOSE_CODES.camera_unavailable,
        message: reason,
      });
    const offJoin = hub.onJoin((p) => {
      const allowed = (p.claims.capabilities & CAP.camera) !== 0;
      const granted = (p.capabilities & CAP.camera) !== 0;
      // the SDK keeps events from before its first listener, so this may come with the picture
      if (wanted && allowed && !(granted && input)) tell(p);
    });
    const offLeave = hub.onLeave((p) => {
      input?.left(p.id);
    });
    hub.handle('cameraConfig', (m, from) => {
      if (input && m.type === 'cameraConfig') input.config(m, from.id);
      else from.refuse(m.type);
    });
    hub.handle('cameraPacket', (m, from) => {
      if (input && m.type === 'cameraPacket') input.packet(m, from.id);
      else from.refuse(m.type);
    });
    hub.handle('cameraStop', (_m, from) => input?.stop(from.id));
    return async () => {
      offJoin();
      offLeave();
      await input?.close();
      this.leases.release(sessionId);
    };
  }
}

/** The camera feature (registered in sessions/features.ts). */
export function cameraFeature(options: CameraFeatureOptions = {}): SessionFeature {
  return new CameraFeature(options);
}
