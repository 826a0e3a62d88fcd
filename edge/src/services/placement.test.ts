import { describe, expect, it } from 'vitest';
import { distanceKm, type HostCandidate, rankHosts } from './placement.ts';

function host(id: string, extra: Partial<HostCandidate> = {}): HostCandidate {
  return {
    id,
    region: 'eu',
    latitude: null,
    longitude: null,
    maxSessions: 4,
    assigned: 0,
    cpuPercent: 0,
    ...extra,
  };
}

const berlin = { latitude: 52.52, longitude: 13.4 };
const paris = { latitude: 48.86, longitude: 2.35 };
const tokyo = { latitude: 35.68, longitude: 139.69 };

describe('rankHosts', () => {
  it('measures great-circle distances', () => {
    expect(Math.round(distanceKm(52.52, 13.4, 48.86, 2.35))).toBe(877);
  });

  it('puts the nearest host first when the request location is known', () => {
    const hosts = [
      host('tokyo', { ...tokyo, region: 'ap' }),
      host('paris', paris),
      host('nowhere'),
    ];
    expect(rankHosts(hosts, berlin).map((h) => h.id)).toEqual(['paris', 'tokyo', 'nowhere']);
    expect(rankHosts(hosts, { latitude: 34, longitude: 135 }).map((h) => h.id)).toEqual([
      'tokyo',
      'paris',
      'nowhere',
    ]);
  });

  it('skips full hosts', () => {
    const hosts = [host('paris', { ...paris, assigned: 4 }), host('tokyo', tokyo)];
    expect(rankHosts(hosts, berlin).map((h) => h.id)).toEqual(['tokyo']);
    expect(rankHosts([host('a', { assigned: 1, maxSessions: 1 })], {})).toEqual([]);
  });

  it('honours an explicit region hint when that region has room', () => {
    const hosts = [host('paris', paris), host('tokyo', { ...tokyo, region: 'ap' })];
    expect(rankHosts(hosts, { ...berlin, regionHint: 'ap' }).map((h) => h.id)).toEqual(['tokyo']);
    expect(rankHosts(hosts, { ...berlin, regionHint: 'us' }).map((h) => h.id)).toEqual([
      'paris',
      'tokyo',
    ]);
  });

  it('falls back to the least loaded host', () => {
    const hosts = [
      host('busy', { assigned: 3 }),
      host('calm', { assigned: 1 }),
      host('hot', { assigned: 1, cpuPercent: 90 }),
    ];
    expect(rankHosts(hosts, {}).map((h) => h.id)).toEqual(['calm', 'hot', 'busy']);
  });

  it('prefers the host that has the profile when it has room', () => {
    const hosts = [host('paris', paris), host('tokyo', tokyo)];
    expect(rankHosts(hosts, { ...berlin, preferredHostId: 'tokyo' })[0]?.id).toBe('tokyo');
    expect(
      rankHosts([host('paris', paris), host('tokyo', { ...tokyo, assigned: 4 })], {
        preferredHostId: 'tokyo',
      })[0]?.id,
    ).toBe('paris');
  });
});
