import type { Message } from '@browserpane/protocol';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import type { Participant } from '../relay/participant.ts';
import type { FeatureContext } from '../sessions/feature.ts';
import { ResizeController } from './resize-feature.ts';
import { DEFAULT_SIZE_LIMITS } from './resize-policy.ts';

function participant(id: string) {
  const sent: Message[] = [];
  return { id, sent, refused: 0, peer: { send: (m: Message) => sent.push(m) }, refuse() {} };
}

function setup(opts: { resizeOn?: boolean } = {}) {
  const owner = participant('owner');
  const other = participant('other');
  let handler: ((m: Message, p: Participant) => void) | undefined;
  let size = { width: 1280, height: 720 };
  const calls: Array<{ width: number; height: number }> = [];
  let release: (() => void) | undefined;
  const ctx = {
    options: { capabilities: { resize: opts.resizeOn ?? true } },
    runtime: {
      get size() {
        return size;
      },
      async setDisplaySize(width: number, height: number) {
        calls.push({ width, height });
        await new Promise<void>((r) => {
          release = r;
        });
        size = { width, height };
        return size;
      },
    },
    hub: {
      handle: (_t: string, h: (m: Message, p: Participant) => void) => {
        handler = h;
      },
      list: () => [owner, other],
      mayResize: (p: { id: string }) => p.id === 'owner',
    },
    log: silentLogger,
    record: () => undefined,
  } as unknown as FeatureContext;
  const controller = new ResizeController(ctx, DEFAULT_SIZE_LIMITS);
  const request = (p: ReturnType<typeof participant>, width: number, height: number) =>
    handler?.(
      { type: 'resizeRequest', width, height, devicePixelRatioPercent: 100 },
      p as unknown as Participant,
    );
  const settle = async () => {
    for (let i = 0; i < 10; i++) {
      release?.();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { controller, owner, other, calls, request, settle };
}

describe('ResizeController', () => {
  it('applies the owner’s request and tells everyone else', async () => {
    const s = setup();
    s.request(s.owner, 1001, 600);
    await s.settle();
    expect(s.calls).toEqual([{ width: 1000, height: 600 }]);
    expect(s.owner.sent).toEqual([
      { type: 'resizeAck', width: 1000, height: 600, status: 'clamped' },
    ]);
    expect(s.other.sent).toEqual([
      { type: 'resizeAck', width: 1000, height: 600, status: 'changedByOther' },
    ]);
  });

  it('denies everyone but the resize owner, without touching the display', async () => {
    const s = setup();
    s.request(s.other, 800, 600);
    await s.settle();
    expect(s.calls).toEqual([]);
    expect(s.other.sent).toEqual([
      { type: 'resizeAck', width: 1280, height: 720, status: 'denied' },
    ]);
    expect(s.controller.stats.denied).toBe(1);
  });

  it('denies the owner too when the session has resize switched off', async () => {
    const s = setup({ resizeOn: false });
    s.request(s.owner, 800, 600);
    await s.settle();
    expect(s.calls).toEqual([]);
    expect(s.owner.sent[0]).toMatchObject({ status: 'denied' });
  });

  it('collapses a burst into the latest request, and skips a size already shown', async () => {
    const s = setup();
    s.request(s.owner, 800, 600);
    s.request(s.owner, 900, 600);
    s.request(s.owner, 1000, 600);
    await s.settle();
    expect(s.calls).toEqual([
      { width: 800, height: 600 },
      { width: 1000, height: 600 },
    ]);
    s.request(s.owner, 1000, 600);
    await s.settle();
    expect(s.calls).toHaveLength(2);
    expect(s.owner.sent.at(-1)).toEqual({
      type: 'resizeAck',
      width: 1000,
      height: 600,
      status: 'applied',
    });
  });
});
