import { CAP, CLOSE_CODES } from '@browserpane/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeClient } from './support/node-client.ts';
import { startRelayFixture } from './support/relay-fixture.ts';

describe('relay and session hub (Node WebTransport client over HTTP/2)', () => {
  let fx: Awaited<ReturnType<typeof startRelayFixture>>;
  const clients: NodeClient[] = [];
  const connect = async (
    role: 'owner' | 'viewer' | 'recorder',
    extra: Partial<Parameters<typeof NodeClient.connect>[0]> = {},
    token?: string,
  ) => {
    const client = await NodeClient.connect({
      url: fx.url(token ?? (await fx.ticket(role))),
      certSha256Hex: fx.cert.sha256Hex,
      role,
      ...extra,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    // Every test here adds owners and keeps them: room for all of them (slots: relay-doors).
    fx = await startRelayFixture({
      hub: { roleLimits: { owner: 64, viewer: 64, automation: 8, recorder: 1 } },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await fx.close();
  });

  it('admits an owner: serverHello with granted capabilities, then the full picture', async () => {
    const owner = await connect('owner');
    const hello = await owner.waitFor('serverHello');
    expect(hello.role).toBe('owner');
    expect(hello.capabilities & CAP.input).toBe(CAP.input);
    expect(await owner.waitFor('gridConfig')).toMatchObject({
      width: 256,
      height: 128,
      tileSize: 64,
    });
    await owner.waitFor('frameEnd');
    expect(owner.count('tileFill')).toBe(8);
    expect(fx.source.active).toBe(true);
  });

  it('applies an owner’s input and drops a viewer’s, counting it', async () => {
    const owner = await connect('owner');
    const viewer = await connect('viewer');
    const viewerHello = await viewer.waitFor('serverHello');
    expect(viewerHello.capabilities & CAP.input).toBe(0);
    await owner.waitFor('serverHello');
    viewer.send({ type: 'pointerMove', x: 5, y: 6 });
    owner.send({ type: 'pointerMove', x: 7, y: 8 });
    await expect.poll(() => fx.inputs.length, { timeout: 5_000 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(fx.inputs).toContainEqual({ type: 'pointerMove', x: 7, y: 8 });
    expect(fx.inputs).not.toContainEqual({ type: 'pointerMove', x: 5, y: 6 });
    const viewerInfo = fx.hub.connections().find((c) => c.role === 'viewer');
    expect(viewerInfo?.stats.refused).toBeGreaterThanOrEqual(1);
  });

  it('admits a recording worker as `recorder`: the picture, never its input, never as owner', async () => {
    const owner = await connect('owner');
    await owner.waitFor('serverHello');
    const recorder = await connect('recorder', {
      capabilities: CAP.tileCache | CAP.copyRect | CAP.cursor | CAP.video | CAP.input,
    });
    const hello = await recorder.waitFor('serverHello');
    expect(hello.role).toBe('recorder');
    expect(hello.capabilities & CAP.input).toBe(0);
    await recorder.waitFor('frameEnd');
    const before = fx.inputs.length;
    recorder.send({ type: 'pointerMove', x: 11, y: 12 });
    recorder.send({
      type: 'keyEvent',
      down: true,
      code: 'KeyA',
      key: 'a',
      modifiers: 0,
      repeat: false,
    });
    owner.send({ type: 'pointerMove', x: 13, y: 14 });
    await expect.poll(() => fx.inputs.length, { timeout: 5_000 }).toBeGreaterThan(before);
    await new Promise((r) => setTimeout(r, 300));
    expect(fx.inputs).not.toContainEqual({ type: 'pointerMove', x: 11, y: 12 });
    const info = fx.hub.connections().find((c) => c.role === 'recorder');
    expect(info?.stats.refused).toBeGreaterThanOrEqual(1);
    // A recorder ticket does not make an owner.
    const posing = await connect('owner', {}, await fx.ticket('recorder'));
    expect((await posing.waitFor('reject')).code).toBe(CLOSE_CODES.role_not_permitted);
    for (const c of [owner, recorder, posing]) c.close();
  });

  it('applies input sent right after the hello, before the relay answered it', async () => {
    const owner = await connect('owner');
    owner.send({ type: 'pointerMove', x: 41, y: 42 }); // no wait for serverHello
    await owner.waitFor('serverHello');
    await expect
      .poll(() => fx.inputs.some((m) => m.type === 'pointerMove' && m.x === 41 && m.y === 42), {
        timeout: 5_000,
      })
      .toBe(true);
  });

  it('streams updates to everyone and uses the tile cache for repeated content', async () => {
    const a = await connect('owner');
    await a.waitFor('frameEnd');
    fx.source.change(1, 1, 0x1234, 2000);
    fx.source.change(1, 1, 0xffffffff);
    fx.source.change(1, 1, 0x1234, 2000); // same pixels again → a cache hit
    await a.waitFor('tileCached', (m) => m.col === 1 && m.row === 1);
    expect(a.count('tileEncoded')).toBe(1);
  });

  it('answers pings with pongs', async () => {
    const c = await connect('owner');
    await c.waitFor('serverHello');
    c.send({ type: 'ping', seq: 42, timestampUs: 1_000 });
    const pong = await c.waitFor('pong', (m) => m.seq === 42);
    expect(pong.echoTimestampUs).toBe(1_000);
  });

  it('closes only the connection that sent a garbage frame, with a protocol error code', async () => {
    const good = await connect('owner');
    const bad = await connect('owner');
    await good.waitFor('serverHello');
    await bad.waitFor('serverHello');
    bad.sendRaw(Uint8Array.of(0x42, 1, 0, 0, 0, 9)); // unknown channel
    const info = await bad.waitClosed();
    expect(info.closeCode).toBe(CLOSE_CODES.unknown_channel);
    const goodbye = bad.messages.find((m) => m.type === 'goodbye');
    expect(goodbye).toMatchObject({ code: CLOSE_CODES.unknown_channel });
    good.send({ type: 'ping', seq: 7, timestampUs: 1 });
    await good.waitFor('pong', (m) => m.seq === 7);
    expect(good.closeInfo).toBeUndefined();
  });

  it('refuses expired, foreign-session, wrong-host and replayed tickets', async () => {
    const expired = await fx.ticket('owner', {}, '-10s');
    await expect(
      connect('owner', {}, expired).then((c) => c.waitFor('serverHello', () => true, 2_000)),
    ).rejects.toThrow();
    const otherHost = await fx.ticket('owner', { hid: 'someone-else' });
    await expect(
      connect('owner', {}, otherHost).then((c) => c.waitFor('serverHello', () => true, 2_000)),
    ).rejects.toThrow();
    const once = await fx.ticket('owner');
    const first = await connect('owner', {}, once);
    await first.waitFor('serverHello');
    await expect(
      connect('owner', {}, once).then((c) => c.waitFor('serverHello', () => true, 2_000)),
    ).rejects.toThrow();
    const foreign = await fx.ticket('owner', { sid: 'another-session' });
    await expect(
      connect('owner', {}, foreign).then((c) => c.waitFor('serverHello', () => true, 2_000)),
    ).rejects.toThrow();
    expect(fx.refusals).toEqual(
      expect.arrayContaining(['expired', 'wrong_host', 'replayed', 'wrong_session']),
    );
  });

  it('refuses a viewer ticket that asks to be owner', async () => {
    const c = await connect('owner', {}, await fx.ticket('viewer'));
    const reject = await c.waitFor('reject');
    expect(reject.code).toBe(CLOSE_CODES.role_not_permitted);
  });

  it('keeps a fast client flowing while another stops reading', async () => {
    const stalled = await connect('owner', { stopReading: true });
    const fast = await connect('owner');
    await fast.waitFor('frameEnd');
    await new Promise((r) => setTimeout(r, 200));
    const before = fast.count('frameEnd');
    // 60 updates of 60 KB at the source's 33 ms pace
    for (let i = 0; i < 60; i++) {
      fx.source.change(i % 4, i % 2, i + 1, 60_000);
      await new Promise((r) => setTimeout(r, 33));
    }
    // the fast client may skip an update or two when the machine is busy, never most of them
    await expect
      .poll(() => fast.count('frameEnd') - before, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(45);
    // the fast client may have skipped an update too on a busy machine: the stalled one is the
    // connection that skipped updates and got only a few
    const stats = fx.hub.connections().map((c) => ({
      sent: c.stats.framesSent,
      dropped: c.stats.framesDropped,
    }));
    expect(
      stats.filter((c) => c.dropped > 0 && c.sent < 10),
      `one client skipped updates and got fewer than 10 (connections: ${JSON.stringify(stats)})`,
    ).toHaveLength(1);
    expect(stalled.closeInfo).toBeUndefined();
  });
});
