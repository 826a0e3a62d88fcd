import {
  CAP,
  CHANNEL_IDS,
  CLOSE_CODES,
  capabilityList,
  DEFAULT_SESSION_CAPABILITIES,
  encodeMessage,
  roleCapabilities,
} from '@browserpane/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_LIMITS } from '../src/relay/admission-policy.ts';
import { DEFAULT_REQUEST_LIMITS } from '../src/relay/request-budget.ts';
import { NodeClient } from './support/node-client.ts';
import { startRelayFixture } from './support/relay-fixture.ts';

type Fixture = Awaited<ReturnType<typeof startRelayFixture>>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The relay's doors under abuse: connection slots per role (the owner is never locked out),
 * revoked automation grants, per-client budgets for refreshes, repairs and pings, and a frame held
 * half-sent.
 */
describe('relay doors', () => {
  const fixtures: Fixture[] = [];
  const clients: NodeClient[] = [];
  const start = async (options: Parameters<typeof startRelayFixture>[0] = {}) => {
    const fx = await startRelayFixture(options);
    fixtures.push(fx);
    return fx;
  };
  type HelloRole = 'owner' | 'viewer' | 'automation' | 'recorder';
  const connect = async (
    fx: Fixture,
    role: HelloRole,
    token?: string,
    extra: Partial<Parameters<typeof NodeClient.connect>[0]> = {},
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
  /** The outcome of a connection attempt: serverHello, a reject code, or a refusal. */
  const attempt = async (
    fx: Fixture,
    role: HelloRole,
    token?: string,
    extra: Partial<Parameters<typeof NodeClient.connect>[0]> = {},
  ) => {
    try {
      const c = await connect(fx, role, token, extra);
      const first = await Promise.race([
        c.waitFor('serverHello', () => true, 5_000).then(() => 'admitted'),
        c.waitFor('reject', () => true, 5_000).then((r) => `reject ${r.code}`),
      ]);
      return { client: c, outcome: first };
    } catch (err) {
      return { client: undefined, outcome: `refused: ${(err as Error).message}` };
    }
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const fx of fixtures.splice(0)) await fx.close();
  });
  afterAll(async () => {
    for (const fx of fixtures) await fx.close();
  });

  it('keeps the owner’s slot: sixteen automation clients cannot lock the owner out', async () => {
    const fx = await start();
    const outcomes: string[] = [];
    for (let i = 0; i < 16; i++) outcomes.push((await attempt(fx, 'automation')).outcome);
    expect(outcomes.filter((o) => o === 'admitted')).toHaveLength(8);
    expect(outcomes.filter((o) => o === `reject ${CLOSE_CODES.session_full}`)).toHaveLength(8);
    expect((await attempt(fx, 'owner')).outcome).toBe('admitted');
    expect((await attempt(fx, 'viewer')).outcome).toBe('admitted');
    expect(fx.hub.hasRoom('automation')).toBe(false);
    expect(fx.hub.hasRoom('owner')).toBe(true);
  });

  it('gives the recording worker one slot of its own: never a viewer’s or a person’s, never input', async () => {
    const fx = await start({
      hub: { roleLimits: { ...DEFAULT_ROLE_LIMITS, owner: 1, viewer: 1 } },
    });
    // even a recorder ticket carrying an owner's capabilities gets the picture only
    const everything = Object.fromEntries(
      Object.keys(DEFAULT_SESSION_CAPABILITIES).map((k) => [k, true]),
    ) as unknown as typeof DEFAULT_SESSION_CAPABILITIES;
    const recorderTicket = () =>
      fx.ticket('recorder', { caps: capabilityList(roleCapabilities(everything, 'owner')) });
    const askAll = { capabilities: roleCapabilities(everything, 'owner') };

    const owner = await attempt(fx, 'owner');
    expect(owner.outcome).toBe('admitted');
    // a recorder ticket cannot take the free viewer slot (nor pose as the owner)
    expect((await attempt(fx, 'viewer', await recorderTicket())).outcome).toBe(
      `reject ${CLOSE_CODES.role_not_permitted}`,
    );
    expect((await attempt(fx, 'owner', await recorderTicket())).outcome).toBe(
      `reject ${CLOSE_CODES.role_not_permitted}`,
    );
    expect(fx.hub.hasRoom('viewer')).toBe(true);
    const recorder = await attempt(fx, 'recorder', await recorderTicket(), askAll);
    expect(recorder.outcome).toBe('admitted');
    const granted = (await recorder.client?.waitFor('serverHello'))?.capabilities ?? -1;
    for (const cap of [
      'input',
      'clipboard',
      'fileUpload',
      'microphone',
      'camera',
      'resize',
    ] as const)
      expect(granted & CAP[cap], cap).toBe(0);
    expect(granted & CAP.tileCache).toBe(CAP.tileCache);
    // the recorder took no person's slot: the one viewer still gets in, then the session is full
    expect(fx.hub.hasRoom('viewer')).toBe(true);
    expect((await attempt(fx, 'viewer')).outcome).toBe('admitted');
    expect((await attempt(fx, 'viewer')).outcome).toBe(`reject ${CLOSE_CODES.session_full}`);
    // at most one recorder per session
    expect((await attempt(fx, 'recorder', await recorderTicket())).outcome).toBe(
      `reject ${CLOSE_CODES.session_full}`,
    );
    // and it sends nothing that reaches the browser
    const before = fx.inputs.length;
    recorder.client?.send({ type: 'pointerMove', x: 3, y: 4 });
    owner.client?.send({ type: 'pointerMove', x: 5, y: 6 });
    await expect.poll(() => fx.inputs.length, { timeout: 5_000 }).toBeGreaterThan(before);
    await sleep(300);
    expect(fx.inputs).not.toContainEqual({ type: 'pointerMove', x: 3, y: 4 });
    expect(
      fx.hub.connections().find((c) => c.role === 'recorder')?.stats.refused,
    ).toBeGreaterThanOrEqual(1);
  });

  it('cuts automation admitted under a revoked grant and refuses its late tickets', async () => {
    const fx = await start();
    const early = await fx.ticket('automation', { gen: 0 });
    const late = await fx.ticket('automation', { gen: 0 });
    const live = await connect(fx, 'automation', early);
    await live.waitFor('serverHello');
    const owner = await connect(fx, 'owner');
    await owner.waitFor('serverHello');
    fx.hub.setGrantGeneration(1);
    expect((await live.waitClosed()).closeCode).toBe(CLOSE_CODES.grant_revoked);
    expect((await attempt(fx, 'automation', late)).outcome).toMatch(/^refused/);
    expect(fx.refusals).toContain('revoked');
    // A grant minted after the revocation works; the owner was never touched.
    expect(
      (await attempt(fx, 'automation', await fx.ticket('automation', { gen: 1 }))).outcome,
    ).toBe('admitted');
    expect(owner.closeInfo).toBeUndefined();
    // A generation going back (a stale answer) changes nothing.
    fx.hub.setGrantGeneration(0);
    expect(fx.hub.grantGeneration).toBe(1);
  });

  it('bounds what a refresh, cache-miss and ping flood gets out of the relay; the owner keeps its stream', async () => {
    const fx = await start({ size: { width: 1280, height: 720 } });
    for (let row = 0; row < 12; row++)
      for (let col = 0; col < 20; col++) fx.source.paint(col, row, col * 31 + row);
    const owner = await connect(fx, 'owner');
    await owner.waitFor('frameEnd');
    const flooder = await connect(fx, 'viewer');
    await flooder.waitFor('frameEnd');
    await sleep(300);
    const stats = () => fx.hub.connections().find((c) => c.role === 'viewer')?.stats ?? {};
    const picture = stats().bytesOut ?? 0;
    expect(picture).toBeGreaterThan(3_000_000); // the first picture carries every tile's pixels

    // The owner's display keeps changing while the viewer floods.
    let changes = 0;
    const painter = setInterval(
      () => fx.source.change(changes % 20, 0, 0x10203000 + ++changes),
      100,
    );
    const tiles = fx.source.snapshot().tiles.flatMap((t) => (t.kind === 'pixels' ? [t] : []));
    /** Sends `kinds` as fast as the client can for `seconds` (≈ the report's 2,450/s and more). */
    const flood = async (kinds: ('refresh' | 'cacheMiss' | 'ping')[], seconds: number) => {
      const before = stats().bytesOut ?? 0;
      const t0 = performance.now();
      let sent = 0;
      while (performance.now() - t0 < seconds * 1000) {
        for (let i = 0; i < 200; i++, sent++) {
          if (kinds.includes('refresh')) flooder.send({ type: 'refreshRequest', reason: 'manual' });
          const tile = tiles[sent % tiles.length];
          if (kinds.includes('cacheMiss') && tile)
            flooder.send({ type: 'cacheMiss', col: tile.col, row: tile.row, hash: tile.hash });
          if (kinds.includes('ping')) flooder.send({ type: 'ping', seq: sent, timestampUs: 1 });
        }
        await sleep(5);
      }
      await sleep(1000);
      // The budget refills for as long as requests keep arriving and being answered, which on a
      // busy machine is longer than the nominal 1 s drain: take the time and bytes together.
      const bytes = (stats().bytesOut ?? 0) - before;
      return { sent, elapsed: (performance.now() - t0) / 1000, bytes };
    };
    const L = DEFAULT_REQUEST_LIMITS;
    const MiB = (n: number) => `${(n / 1048576).toFixed(2)} MiB`;

    // The report's flood: refresh requests only. Each answer is a picture of tileCached messages.
    const refreshes = await flood(['refresh'], 3);
    const pictures = L.refreshBurst + L.refreshPerSecond * refreshes.elapsed;
    const refreshBound = pictures * 240 * 40 + changes * 64 + 64 * 1024;
    console.log(
      `refresh flood: ${refreshes.sent} requests in ${refreshes.elapsed.toFixed(1)} s → ${MiB(refreshes.bytes)} to the flooder (bound ${MiB(refreshBound)})`,
    );
    expect(refreshes.sent).toBeGreaterThan(5000);
    expect(refreshes.bytes).toBeLessThan(refreshBound);

    // Refreshes, repairs of real tiles and pings at once: within the byte budget, plus one
    // picture (the one sent while the budget was still positive may run it into debt). Repairs
    // over the budget wait for it; they never turn into an unbudgeted picture of pixels.
    const mixed = await flood(['refresh', 'cacheMiss', 'ping'], 3);
    const mixedBound =
      picture +
      L.solicitedBurstBytes +
      L.solicitedBytesPerSecond * mixed.elapsed +
      (L.pingBurst + L.pingPerSecond * mixed.elapsed) * 64 +
      (L.refreshBurst + L.refreshPerSecond * mixed.elapsed) * 240 * 40 +
      changes * 64 +
      256 * 1024;
    console.log(
      `mixed flood: ${mixed.sent} × (refresh + cacheMiss + ping) in ${mixed.elapsed.toFixed(1)} s → ${MiB(mixed.bytes)} (bound ${MiB(mixedBound)}; the repairs alone would be ${MiB(mixed.sent * 64 * 64 * 4)} unbudgeted); throttled ${stats().throttled}`,
    );
    clearInterval(painter);
    expect(mixed.sent).toBeGreaterThan(5000);
    expect(mixed.bytes).toBeLessThan(mixedBound);
    expect(stats().throttled).toBeGreaterThan(mixed.sent);
    expect(flooder.count('pong')).toBeLessThan(L.pingBurst + L.pingPerSecond * mixed.elapsed + 1);
    expect(
      flooder.messages.some((m) => m.type === 'notice' && m.code === CLOSE_CODES.rate_limited),
    ).toBe(true);
    // The owner got every change of its display, and neither client was cut.
    await expect
      .poll(() => owner.messages.filter((m) => m.type === 'tileFill' && m.row === 0).length, {
        timeout: 5_000,
      })
      .toBeGreaterThanOrEqual(changes);
    expect(owner.closeInfo).toBeUndefined();
    expect(flooder.closeInfo).toBeUndefined();
  });

  it('lets repairs asked for over the byte budget wait, then sends each tile once the budget allows', async () => {
    // A budget of one picture's worth: the first picture leaves it empty, so every repair waits.
    const fx = await start({
      size: { width: 512, height: 256 },
      hub: {
        requestLimits: {
          ...DEFAULT_REQUEST_LIMITS,
          solicitedBurstBytes: 64 * 1024,
          solicitedBytesPerSecond: 64 * 1024,
        },
      },
    });
    for (let row = 0; row < 4; row++)
      for (let col = 0; col < 8; col++) fx.source.paint(col, row, col * 7 + row);
    const viewer = await connect(fx, 'viewer');
    await viewer.waitFor('frameEnd');
    const tiles = fx.source.snapshot().tiles.flatMap((t) => (t.kind === 'pixels' ? [t] : []));
    expect(tiles).toHaveLength(32);
    // Drain the budget with repairs of one tile, then ask for all 32, each many times.
    const from = viewer.messages.length;
    for (let round = 0; round < 40; round++)
      for (const t of tiles)
        viewer.send({ type: 'cacheMiss', col: t.col, row: t.row, hash: t.hash });
    // Every tile arrives with its pixels (16 KiB each: ~8 s of budget for all 32), and no picture
    // of pixels was sent in place of the repairs.
    const repairs = () => viewer.messages.slice(from).filter((m) => m.type === 'tileEncoded');
    const repaired = () =>
      new Set(repairs().map((m) => (m.type === 'tileEncoded' ? `${m.col},${m.row}` : ''))).size;
    await expect.poll(repaired, { timeout: 20_000, interval: 250 }).toBe(32);
    const stats = fx.hub.connections().find((c) => c.role === 'viewer')?.stats;
    expect(stats?.throttled).toBeGreaterThan(0);
    // At most one repair per tile per round that was within budget: far fewer than the 1,280 asked.
    expect(repairs().length).toBeLessThan(32 * 6);
    // Each repair is a frame of its own tile: none came as a picture carrying many tiles' pixels.
    const pixelsPerFrame: number[] = [];
    let inFrame = 0;
    for (const m of viewer.messages.slice(from)) {
      if (m.type === 'tileEncoded') inFrame++;
      if (m.type !== 'frameEnd') continue;
      pixelsPerFrame.push(inFrame);
      inFrame = 0;
    }
    expect(Math.max(...pixelsPerFrame)).toBe(1);
    expect(viewer.closeInfo).toBeUndefined();
  });

  it('closes a client that holds a frame half-sent, however slowly it trickles', async () => {
    const fx = await start({
      hub: {
        peerOptions: {
          handshakeTimeoutMs: 1_500,
          idleTimeoutMs: 30_000,
          lagBytes: 256 * 1024,
          hardLimitBytes: 64 * 1024 * 1024,
          frameGraceMs: 400,
          frameMinBytesPerSecond: 16 * 1024 * 1024,
        },
      },
    });
    const holder = await connect(fx, 'owner');
    const other = await connect(fx, 'owner');
    await holder.waitFor('serverHello');
    await other.waitFor('serverHello');
    // A 16 MiB clipboard frame: its header, a few bytes, then one byte now and then.
    const header = new Uint8Array(5);
    header[0] = CHANNEL_IDS.clipboard;
    new DataView(header.buffer).setUint32(1, 16 * 1024 * 1024 - 1, true);
    holder.sendRaw(header);
    holder.sendRaw(new Uint8Array(1000));
    const t0 = performance.now();
    const trickle = setInterval(() => holder.sendRaw(new Uint8Array(1)), 200);
    const info = await holder.waitClosed(10_000);
    clearInterval(trickle);
    expect(info.closeCode).toBe(CLOSE_CODES.idle_timeout);
    expect(performance.now() - t0).toBeLessThan(5_000);
    // A frame sent at a normal pace is fine, and the other client never noticed.
    other.send({ type: 'ping', seq: 5, timestampUs: 1 });
    await other.waitFor('pong', (m) => m.seq === 5);
    expect(other.closeInfo).toBeUndefined();
    expect(encodeMessage({ type: 'ping', seq: 1, timestampUs: 1 })[0]).not.toBe(
      CHANNEL_IDS.clipboard,
    );
  });
});
