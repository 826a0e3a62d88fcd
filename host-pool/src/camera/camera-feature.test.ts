import { CAP, CLOSE_CODES, type Message } from '@browserpane/protocol';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import type { Participant } from '../relay/participant.ts';
import type { MessageHandler } from '../relay/session-hub.ts';
import type { FeatureContext } from '../sessions/feature.ts';
import { CameraFeature, NO_CAMERA_DEVICE } from './camera-feature.ts';

/** Just enough of a session hub and its participants to attach the feature. */
function fakeSession(camera: boolean) {
  const handlers = new Map<string, MessageHandler>();
  const joins: Array<(p: Participant) => void> = [];
  const leaves: Array<(p: Participant) => void> = [];
  const hub = {
    handle: (type: string, h: MessageHandler) => handlers.set(type, h),
    onJoin: (l: (p: Participant) => void) => {
      joins.push(l);
      return () => undefined;
    },
    onLeave: (l: (p: Participant) => void) => {
      leaves.push(l);
      return () => undefined;
    },
  };
  const ctx = {
    sessionId: 's-1',
    options: {
      viewport: { width: 1280, height: 720 },
      capabilities: { camera },
      owner_mode: 'collaborative',
    },
    hub,
    log: silentLogger,
    record: () => undefined,
  } as unknown as FeatureContext;
  const participant = (id: string, ticketCaps: number, granted: number) => {
    const sent: Message[] = [];
    const refused: string[] = [];
    const p = {
      id,
      claims: { capabilities: ticketCaps },
      capabilities: granted,
      peer: { send: (m: Message) => sent.push(m) },
      refuse: (type: string) => refused.push(type),
    } as unknown as Participant;
    return { p, sent, refused };
  };
  return { ctx, handlers, joins, leaves, participant };
}

describe('camera feature on a host without a v4l2loopback device', () => {
  const noDevices = { sysfsRoot: '/nonexistent/video4linux', devRoot: '/nonexistent' };

  it('is never offered, tells a participant whose ticket allows it why, and refuses its packets', async () => {
    const feature = new CameraFeature(noDevices);
    expect(await feature.capabilities()).toBe(0);
    const s = fakeSession(true);
    const stop = await feature.attach(s.ctx);
    const owner = s.participant('c-owner', CAP.camera | CAP.input, CAP.input);
    const viewer = s.participant('c-viewer', CAP.audioOut, CAP.audioOut);
    for (const join of s.joins) {
      join(owner.p);
      join(viewer.p);
    }
    expect(owner.sent).toEqual([
      {
        type: 'notice',
        level: 'warning',
        code: CLOSE_CODES.camera_unavailable,
        message: NO_CAMERA_DEVICE,
      },
    ]);
    expect(viewer.sent).toEqual([]); // its ticket never allowed the camera
    s.handlers.get('cameraPacket')?.(
      { type: 'cameraPacket', seq: 0, ptsUs: 0, keyframe: true, data: new Uint8Array(4) },
      owner.p,
    );
    expect(owner.refused).toEqual(['cameraPacket']);
    await stop();
  });

  it('says nothing in sessions that keep the camera off (the default)', async () => {
    const off = fakeSession(false);
    await new CameraFeature(noDevices).attach(off.ctx);
    const a = off.participant('c-a', CAP.camera, 0);
    for (const join of off.joins) join(a.p);
    expect(a.sent).toEqual([]);
  });
});
