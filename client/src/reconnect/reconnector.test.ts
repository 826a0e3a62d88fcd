import { CLOSE_CODES } from '@browserpane/protocol';
import { describe, expect, it } from 'vitest';
import {
  type ConnectionState,
  FinalConnectError,
  type Link,
  type LinkClose,
  Reconnector,
  type Timers,
} from './reconnector.ts';

/** A clock the test moves by hand. */
class ManualTimers implements Timers {
  time = 0;
  private pending: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.pending.push({ at: this.time + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.pending = this.pending.filter((p) => p.id !== id);
  };
  async advance(ms: number): Promise<void> {
    this.time += ms;
    const due = this.pending.filter((p) => p.at <= this.time);
    this.pending = this.pending.filter((p) => p.at > this.time);
    for (const p of due) p.fn();
    await flush();
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

class FakeLink implements Link {
  disconnected = false;
  private end!: (info: LinkClose) => void;
  readonly closed = new Promise<LinkClose>((r) => {
    this.end = r;
  });
  constructor(readonly relayUrl: string) {}
  drop(code = 0, reason = 'transport closed'): void {
    this.end({ code, reason });
  }
  disconnect(): void {
    this.disconnected = true;
    this.end({ code: 0, reason: 'client disconnected' });
  }
}

/** A reconnector whose `open` answers from a script: a relay URL (a link) or an error. */
function setup(script: Array<string | Error>, maxAttempts = 3) {
  const timers = new ManualTimers();
  const states: ConnectionState[] = [];
  const links: FakeLink[] = [];
  const attempts: number[] = [];
  const r = new Reconnector<FakeLink>({
    open: async (attempt) => {
      attempts.push(attempt);
      const next = script.shift() ?? new Error('relay unreachable');
      if (next instanceof Error) throw next;
      return new FakeLink(next);
    },
    onLink: (link) => links.push(link),
    onState: (s) => states.push(s),
    backoff: { initialMs: 100, maxMs: 400, jitter: 0, maxAttempts },
    timers,
    random: () => 0,
  });
  const phases = () => states.map((s) => s.phase);
  return { r, timers, states, links, attempts, phases };
}

describe('Reconnector', () => {
  it('connects, and after a drop reconnects with growing delays to the relay the new ticket names', async () => {
    const t = setup(['wss://a', new Error('refused'), 'wss://b']);
    t.r.start();
    await flush();
    expect(t.r.state).toEqual({ phase: 'live', reconnects: 0 });
    t.links[0]?.drop();
    await flush();
    expect(t.r.state).toMatchObject({ phase: 'reconnecting', attempt: 1, nextAttemptAt: 100 });
    await t.timers.advance(99);
    expect(t.attempts).toEqual([0]);
    await t.timers.advance(1);
    expect(t.attempts).toEqual([0, 1]);
    expect(t.r.state).toMatchObject({ phase: 'reconnecting', attempt: 2, nextAttemptAt: 300 });
    await t.timers.advance(200);
    expect(t.attempts).toEqual([0, 1, 2]);
    expect(t.r.state).toEqual({ phase: 'live', reconnects: 1 });
    expect(t.links.map((l) => l.relayUrl)).toEqual(['wss://a', 'wss://b']);
    expect(t.r.link?.relayUrl).toBe('wss://b');
  });

  it('gives up after maxAttempts failures in a row, and retry() starts over', async () => {
    const t = setup(['wss://a']);
    t.r.start();
    await flush();
    t.links[0]?.drop();
    await flush();
    await t.timers.advance(100); // attempt 1 fails
    await t.timers.advance(200); // attempt 2 fails
    await t.timers.advance(400); // attempt 3 fails
    expect(t.attempts).toEqual([0, 1, 2, 3]);
    expect(t.r.state).toEqual({ phase: 'gave_up', attempts: 3, reason: 'relay unreachable' });
    await t.timers.advance(10_000);
    expect(t.attempts).toHaveLength(4);
    t.r.retry();
    await flush();
    expect(t.attempts).toEqual([0, 1, 2, 3, 1]);
  });

  it('retries a failed first connection too', async () => {
    const t = setup([new Error('no ticket yet'), 'wss://a']);
    t.r.start();
    await flush();
    expect(t.r.state).toMatchObject({ phase: 'reconnecting', attempt: 1, reason: 'no ticket yet' });
    await t.timers.advance(100);
    expect(t.r.state.phase).toBe('live');
  });

  it('does not reconnect after a deliberate end (stopped, disconnected by the owner)', async () => {
    for (const code of [
      CLOSE_CODES.session_stopped,
      CLOSE_CODES.disconnected_by_operator,
      CLOSE_CODES.idle_timeout,
    ]) {
      const t = setup(['wss://a', 'wss://b']);
      t.r.start();
      await flush();
      t.links[0]?.drop(code, 'ended');
      await flush();
      await t.timers.advance(60_000);
      expect(t.r.state).toEqual({ phase: 'ended', code, reason: 'ended' });
      expect(t.attempts).toEqual([0]);
    }
  });

  it('reconnects after a host shutdown or a transport loss', async () => {
    for (const code of [0, CLOSE_CODES.server_shutdown, CLOSE_CODES.session_unavailable]) {
      const t = setup(['wss://a', 'wss://b']);
      t.r.start();
      await flush();
      t.links[0]?.drop(code);
      await flush();
      await t.timers.advance(100);
      expect(t.r.state, `after close code ${code}`).toEqual({ phase: 'live', reconnects: 1 });
    }
  });

  it('stops at an error retrying cannot fix', async () => {
    const t = setup([new FinalConnectError(404, 'session not found')]);
    t.r.start();
    await flush();
    expect(t.r.state).toEqual({ phase: 'ended', code: 404, reason: 'session not found' });
  });

  it('discards an attempt that finishes after close(), and closes its link', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const late = new FakeLink('wss://late');
    const states: string[] = [];
    const r = new Reconnector<FakeLink>({
      open: async () => {
        await gate;
        return late;
      },
      onLink: () => {
        throw new Error('a discarded link must not be shown');
      },
      onState: (s) => states.push(s.phase),
    });
    r.start();
    r.close();
    release();
    await flush();
    expect(late.disconnected).toBe(true);
    expect(r.state.phase).toBe('closed');
    expect(states).toEqual(['connecting', 'closed']);
  });

  it('closing while live disconnects the link and does not reconnect', async () => {
    const t = setup(['wss://a', 'wss://b']);
    t.r.start();
    await flush();
    t.r.close();
    await t.timers.advance(60_000);
    expect(t.links[0]?.disconnected).toBe(true);
    expect(t.attempts).toEqual([0]);
    expect(t.phases().at(-1)).toBe('closed');
  });
});
