import { encodeMessage } from '@browserpane/protocol';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.ts';
import { SessionManager } from '../sessions/session-manager.ts';
import { HostMetrics } from './host-metrics.ts';
import { countFramesOut, countPicture, observeEncode } from './traffic.ts';

const TOKEN = 'metrics-token-0123456789';
const silent = createLogger({ module: 'test' }, 'error', () => {});

function metrics(token: string | null = TOKEN) {
  const sessions = new SessionManager(
    { create: () => Promise.reject(new Error('no sessions in this test')) },
    3,
    silent,
  );
  return new HostMetrics(
    { sessions, warmRuntimes: () => 2, warmTarget: () => 2 },
    token ?? undefined,
  );
}

const get = (m: HostMetrics, authorization?: string, path = '/metrics', method = 'GET') =>
  m.http({
    method,
    path,
    query: new URLSearchParams(),
    headers: authorization ? { authorization } : {},
    secure: true,
  });

/** The value of one series in a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('host /metrics', () => {
  it('refuses anonymous callers and wrong tokens, and says when metrics are off', async () => {
    const m = metrics();
    const anonymous = await get(m);
    expect(anonymous?.status).toBe(401);
    expect(String(anonymous?.body)).not.toContain('browserpane_host');
    for (const wrong of [`Bearer ${TOKEN}x`, 'Bearer nope', `Basic ${TOKEN}`, TOKEN]) {
      const res = await get(m, wrong);
      expect(res?.status, wrong).toBeGreaterThanOrEqual(401);
      expect(res?.status, wrong).toBeLessThanOrEqual(403);
      expect(String(res?.body)).not.toContain('browserpane_host');
    }
    const off = await get(metrics(null), `Bearer ${TOKEN}`);
    expect(off?.status).toBe(404);
    expect(JSON.parse(String(off?.body)).error.code).toBe('metrics_disabled');
    expect((await get(m, `Bearer ${TOKEN}`, '/metrics', 'POST'))?.status).toBe(405);
    expect(get(m, `Bearer ${TOKEN}`, '/healthz')).toBeUndefined();
  });

  it('reports sessions, slots, the warm pool, traffic per channel, pictures and encode times', async () => {
    const m = metrics();
    const before = await (await get(m, `Bearer ${TOKEN}`))?.body;
    const tilesBefore =
      sample(String(before), 'browserpane_host_frames_out_total{channel="tiles"}') ?? 0;
    const a = encodeMessage({ type: 'frameEnd', seq: 1 });
    const b = encodeMessage({ type: 'ping', seq: 1, timestampUs: 5 });
    const both = new Uint8Array(a.byteLength * 2 + b.byteLength);
    both.set(a, 0);
    both.set(a, a.byteLength);
    both.set(b, a.byteLength * 2);
    countFramesOut(both);
    countPicture('sent');
    countPicture('dropped');
    observeEncode(1.5);

    const res = await get(m, `Bearer ${TOKEN}`);
    expect(res?.status).toBe(200);
    expect(res?.headers?.['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = String(res?.body);
    expect(sample(text, 'browserpane_host_session_slots')).toBe(3);
    expect(sample(text, 'browserpane_host_warm_runtimes')).toBe(2);
    expect(sample(text, 'browserpane_host_warm_runtimes_target')).toBe(2);
    expect(text).toContain('# TYPE browserpane_host_sessions gauge');
    expect(text).toContain('# TYPE browserpane_host_clients gauge');
    expect(sample(text, 'browserpane_host_frames_out_total{channel="tiles"}')).toBe(
      tilesBefore + 2,
    );
    expect(
      sample(text, 'browserpane_host_bytes_out_total{channel="control"}'),
    ).toBeGreaterThanOrEqual(b.byteLength);
    expect(
      sample(text, 'browserpane_host_pictures_total{outcome="dropped"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'browserpane_host_encode_seconds_count')).toBeGreaterThanOrEqual(1);
  });

  it('counts what does not parse as whole frames as unknown, without throwing', async () => {
    const m = metrics();
    countFramesOut(Uint8Array.of(7, 0xff, 0xff, 0xff, 0x7f, 1, 2));
    const text = String((await get(m, `Bearer ${TOKEN}`))?.body);
    expect(
      sample(text, 'browserpane_host_bytes_out_total{channel="unknown"}'),
    ).toBeGreaterThanOrEqual(7);
  });
});
