/**
 * Where a session runs: the nearest healthy host with room. Pure ranking here; the database pass
 * that applies it lives in `scheduler.ts`.
 */

export interface HostCandidate {
  id: string;
  region: string;
  latitude: number | null;
  longitude: number | null;
  maxSessions: number;
  /** Sessions currently placed on the host (each holds a slot until its runtime is gone). */
  assigned: number;
  cpuPercent: number | null;
}

export interface PlacementRequest {
  /** Where the request came from (request.cf), if known. */
  latitude?: number | null;
  longitude?: number | null;
  /** An explicit region the caller asked for. */
  regionHint?: string | null;
  /** The host that has the session's browser profile (restart after stop). */
  preferredHostId?: string | null;
}

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in km. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

function load(host: HostCandidate): number {
  return host.assigned / Math.max(1, host.maxSessions);
}

function byLoad(a: HostCandidate, b: HostCandidate): number {
  return load(a) - load(b) || (a.cpuPercent ?? 0) - (b.cpuPercent ?? 0) || a.id.localeCompare(b.id);
}

export function hasRoom(host: HostCandidate): boolean {
  return host.assigned < host.maxSessions;
}

/**
 * Hosts with room, best first: the preferred host (it has the profile); then, when the caller
 * named a region that has room, only that region; nearest first when the request's coordinates
 * are known (hosts without coordinates after those with); least loaded otherwise and on ties.
 */
export function rankHosts(hosts: readonly HostCandidate[], req: PlacementRequest): HostCandidate[] {
  let pool = hosts.filter(hasRoom);
  const preferred = pool.find((h) => h.id === req.preferredHostId);
  if (req.regionHint) {
    const inRegion = pool.filter((h) => h.region === req.regionHint);
    if (inRegion.length > 0) pool = inRegion;
  }
  const { latitude: lat, longitude: lon } = req;
  let ranked: HostCandidate[];
  if (typeof lat === 'number' && typeof lon === 'number') {
    const dist = (h: HostCandidate) =>
      h.latitude === null || h.longitude === null
        ? Number.POSITIVE_INFINITY
        : distanceKm(lat, lon, h.latitude, h.longitude);
    ranked = [...pool].sort((a, b) => {
      const da = dist(a);
      const db = dist(b);
      if (da !== db)
        return da === Number.POSITIVE_INFINITY ? 1 : db === Number.POSITIVE_INFINITY ? -1 : da - db;
      return byLoad(a, b);
    });
  } else {
    ranked = [...pool].sort(byLoad);
  }
  if (preferred) ranked = [preferred, ...ranked.filter((h) => h !== preferred)];
  return ranked;
}
