import { CAP, type Message } from '@browserpane/protocol';
import type { Page } from 'playwright-core';
import type { startStackFixture } from './stack-fixture.ts';
import { joinAs } from './workspace.ts';

type Fixture = Awaited<ReturnType<typeof startStackFixture>>;

/**
 * A second participant that records everything the relay sends it, with arrival times: the wire
 * as any client sees it (e.g. which region came as video and which as tiles).
 */
export async function recordWire(
  fx: Fixture,
  owner: Page,
  sessionId: string,
  role: 'viewer' | 'owner' = 'viewer',
) {
  const caps = CAP.video | CAP.tileCache | CAP.copyRect | CAP.cursor;
  const client = await joinAs(fx, owner, sessionId, role, caps);
  const times: number[] = [];
  let seen = 0;
  const stamp = () => {
    while (seen < client.messages.length) {
      times.push(performance.now());
      seen++;
    }
  };
  const timer = setInterval(stamp, 5);
  return {
    client,
    /** Messages received after `since` (performance.now() time). */
    after(since: number): Message[] {
      stamp();
      return client.messages.filter((_, i) => (times[i] ?? 0) >= since);
    },
    close() {
      clearInterval(timer);
      client.close();
    },
  };
}
