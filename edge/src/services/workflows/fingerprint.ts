/** A stable digest of a JSON request (keys sorted), to tell a retry from a different request. */
import { sha256Hex } from '../crypto.ts';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

export function fingerprint(value: unknown): Promise<string> {
  return sha256Hex(JSON.stringify(canonical(value)));
}
