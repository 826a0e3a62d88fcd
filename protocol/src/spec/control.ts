import { CAPABILITY_NAMES, ROLES } from '../capabilities.ts';
import { MAX_ID_BYTES } from '../limits.ts';
import { bool, enumOf, flags, str, u16, u32, u53 } from '../wire/fields.ts';
import { channel, message } from './define.ts';

export const role = enumOf(ROLES);
export const capabilities = flags(4, CAPABILITY_NAMES, { ignoreUnknown: true });
const id = str(MAX_ID_BYTES);

/** Access flags the server reports to a client about itself. */
export const ACCESS_FLAG_NAMES = ['viewOnly', 'resizeAllowed', 'exclusiveOwnerMode'] as const;

export const controlChannel = channel({
  id: 0x01,
  name: 'control',
  doc: 'Handshake, liveness, resize and session events. The first frame a client sends must be `clientHello`.',
  messages: {
    clientHello: message({
      tag: 0x01,
      dir: 'c2s',
      doc: 'First frame from the client: the versions it speaks, the role its ticket grants, the capabilities it wants and its viewport in CSS pixels × devicePixelRatio.',
      fields: {
        minVersion: u16,
        maxVersion: u16,
        role,
        capabilities,
        viewportWidth: u16,
        viewportHeight: u16,
        devicePixelRatioPercent: u16,
        clientName: str(128),
      },
      validate: (v) =>
        v.minVersion > v.maxVersion ? 'minVersion must not exceed maxVersion' : undefined,
    }),
    serverHello: message({
      tag: 0x02,
      dir: 's2c',
      doc: 'Handshake answer: the selected version, granted role and capabilities, identifiers and the remote display size.',
      fields: {
        version: u16,
        role,
        capabilities,
        access: flags(1, ACCESS_FLAG_NAMES),
        sessionId: id,
        connectionId: id,
        displayWidth: u16,
        displayHeight: u16,
      },
    }),
    reject: message({
      tag: 0x03,
      dir: 's2c',
      doc: 'Handshake refused. `code` is a close code; `message` is fixed text for that code and never carries user data. The server closes with `code` right after.',
      fields: { code: u16, message: str(255) },
    }),
    ping: message({
      tag: 0x04,
      dir: 'both',
      doc: 'Liveness and latency probe. `timestampUs` is the sender clock in microseconds.',
      fields: { seq: u32, timestampUs: u53 },
    }),
    pong: message({
      tag: 0x05,
      dir: 'both',
      doc: 'Answer to `ping`: echoes its seq and timestamp and adds the answerer clock.',
      fields: { seq: u32, echoTimestampUs: u53, timestampUs: u53 },
    }),
    resizeRequest: message({
      tag: 0x06,
      dir: 'c2s',
      requires: 'resize',
      doc: 'The client container changed size: asks for a remote display of width × height device pixels.',
      fields: { width: u16, height: u16, devicePixelRatioPercent: u16 },
      validate: (v) => (v.width < 1 || v.height < 1 ? 'width and height must be ≥ 1' : undefined),
    }),
    resizeAck: message({
      tag: 0x07,
      dir: 's2c',
      doc: 'The display size after a resize request (or after another participant resized).',
      fields: {
        width: u16,
        height: u16,
        status: enumOf({ applied: 1, clamped: 2, denied: 3, changedByOther: 4 }),
      },
    }),
    participantJoined: message({
      tag: 0x08,
      dir: 's2c',
      doc: 'Another participant joined the session.',
      fields: { connectionId: id, role, displayName: str(128) },
    }),
    participantLeft: message({
      tag: 0x09,
      dir: 's2c',
      doc: 'A participant left the session.',
      fields: {
        connectionId: id,
        reason: enumOf({ left: 1, disconnected: 2, kicked: 3, timedOut: 4, protocolError: 5 }),
      },
    }),
    ownershipChanged: message({
      tag: 0x0a,
      dir: 's2c',
      doc: 'Who controls the session changed: the interactive owner connection (empty when none), the automation principal (empty when none), and this client’s own role and access now.',
      fields: {
        ownerConnectionId: id,
        automationOwner: str(128),
        yourRole: role,
        yourAccess: flags(1, ACCESS_FLAG_NAMES),
      },
    }),
    notice: message({
      tag: 0x0b,
      dir: 's2c',
      doc: 'An in-band notice that does not close the connection (a denied capability, a clipboard over the limit …). `code` is a close code.',
      fields: {
        level: enumOf({ info: 1, warning: 2, error: 3 }),
        code: u16,
        message: str(512),
      },
    }),
    bitrateHint: message({
      tag: 0x0c,
      dir: 'c2s',
      doc: 'Client-measured delivery quality, used to adapt the video encoder.',
      fields: { targetKbps: u32, lossPermille: u16, queueDelayMs: u16 },
    }),
    goodbye: message({
      tag: 0x0d,
      dir: 'both',
      doc: 'The sender is about to close: `code` is a close code and `message` fixed text.',
      fields: { code: u16, message: str(255) },
    }),
    statsReport: message({
      tag: 0x0e,
      dir: 'c2s',
      doc: 'Client render statistics for the connection list: frames drawn, decode time, last round trip.',
      fields: {
        framesDrawn: u32,
        tilesDecoded: u32,
        decodeMicrosP50: u32,
        rttMicros: u32,
        visible: bool,
      },
    }),
  },
});
