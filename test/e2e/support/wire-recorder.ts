import type { Message } from '@browserpane/protocol';
import type { Page } from 'playwright-core';
import { NodeClient } from '../../../host-pool/test/support/node-client.ts';
import type { startStackFixture } from './stack-fixture.ts';

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
  const token = await owner.evaluate(
    () => JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken as string,
  );
  const res = await fetch(`${fx.stack.url}/api/v1/sessions/${sessionId}/access-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role }),
  });
  if (!res.ok) throw new Error(`ticket: ${res.status}`);
  const { token: ticket } = (await res.json()) as { token: string };
  const host = fx.stack.host;
  if (!host) throw new Error('no in-process host');
  const client = await NodeClient.connect({
    url: `https://127.0.0.1:${host.relayPort}/sessions/${sessionId}/connect?ticket=${encodeURIComponent(ticket)}`,
    certSha256Hex: host.certificate.sha256Hex,
    role,
    capabilities: 0x0f00, // video, tileCache, copyRect, cursor
  });
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
