import { CAP, type Message } from '@browserpane/protocol';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import type { Participant } from '../relay/participant.ts';
import type { SessionHub } from '../relay/session-hub.ts';
import { type ClipboardBackend, ClipboardBridge } from './clipboard-bridge.ts';
import { type ClipboardContent, DEFAULT_CLIPBOARD_LIMITS } from './clipboard-content.ts';
import type { ReadResult } from './selection-reader.ts';

/** A participant that records what it is sent (only what the bridge touches). */
function participant(id: string, capabilities = CAP.clipboard) {
  const sent: Message[] = [];
  const refused: string[] = [];
  return {
    id,
    capabilities,
    sent,
    refused,
    peer: { send: (m: Message) => sent.push(m) },
    refuse: (t: string) => refused.push(t),
  };
}

function setup(participants: ReturnType<typeof participant>[], limits = DEFAULT_CLIPBOARD_LIMITS) {
  const handlers = new Map<string, (m: Message, p: Participant) => void>();
  const hub = {
    handle: (type: string, h: (m: Message, p: Participant) => void) => handlers.set(type, h),
    list: () => participants,
  } as unknown as SessionHub;
  let owner: (() => void) | undefined;
  let next: ReadResult = { kind: 'empty' };
  const applied: ClipboardContent[] = [];
  const backend: ClipboardBackend = {
    set: (c) => applied.push(c),
    read: async () => next,
    onForeignOwner: (l) => {
      owner = l;
      return () => undefined;
    },
  };
  const bridge = new ClipboardBridge(hub, backend, limits, silentLogger);
  return {
    bridge,
    applied,
    fromClient: (m: Message, p: ReturnType<typeof participant>) =>
      handlers.get(m.type)?.(m, p as unknown as Participant),
    /** The display's clipboard changed to `result`; resolves after the bridge sent it. */
    async remoteCopy(result: ReadResult) {
      next = result;
      owner?.();
      await new Promise((r) => setTimeout(r, 120));
    },
  };
}

describe('ClipboardBridge', () => {
  it('applies a participant’s clipboard to the display, and ignores empty ones', () => {
    const a = participant('a');
    const s = setup([a]);
    s.fromClient({ type: 'clipboardText', text: 'hello' }, a);
    s.fromClient({ type: 'clipboardText', text: '' }, a);
    expect(s.applied).toEqual([{ text: 'hello' }]);
    expect(s.bridge.stats.fromClients).toBe(1);
  });

  it('sends a display change to everyone granted clipboard, except where it came from', async () => {
    const a = participant('a');
    const b = participant('b');
    const viewer = participant('v', 0);
    const s = setup([a, b, viewer]);
    s.fromClient({ type: 'clipboardText', text: 'from a' }, a);
    // the page copies the same text again: only b does not have it yet
    await s.remoteCopy({ kind: 'content', content: { text: 'from a' } });
    expect(a.sent).toEqual([]);
    expect(b.sent).toEqual([{ type: 'clipboardText', text: 'from a' }]);
    expect(viewer.sent).toEqual([]);
    expect(s.bridge.stats.suppressed).toBe(1);
    // a new copy reaches both, once
    await s.remoteCopy({ kind: 'content', content: { text: 'new', html: '<b>new</b>' } });
    await s.remoteCopy({ kind: 'content', content: { text: 'new', html: '<b>new</b>' } });
    expect(a.sent).toEqual([{ type: 'clipboardHtml', html: '<b>new</b>', text: 'new' }]);
    expect(b.sent).toHaveLength(2);
  });

  it('answers over-limit content with a notice, in both directions', async () => {
    const a = participant('a');
    const s = setup([a], { textBytes: 4, imageBytes: 4 });
    s.fromClient({ type: 'clipboardText', text: 'too long' }, a);
    expect(s.applied).toEqual([]);
    await s.remoteCopy({ kind: 'too_large', format: 'text' });
    expect(a.sent).toMatchObject([
      { type: 'notice', level: 'warning', code: 1302 },
      { type: 'notice', level: 'warning', code: 1302 },
    ]);
    expect(s.bridge.stats.tooLarge).toBe(2);
  });

  it('stops reacting once stopped', async () => {
    const a = participant('a');
    const s = setup([a]);
    s.bridge.stop();
    await s.remoteCopy({ kind: 'content', content: { text: 'late' } });
    s.fromClient({ type: 'clipboardText', text: 'late' }, a);
    expect(a.sent).toEqual([]);
    expect(s.applied).toEqual([]);
  });
});
