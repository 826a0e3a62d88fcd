// Duration parsing shared by the verbs.

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration: a finite number ≥ 0 counts in `unitlessUnit`, a string like `"250"`, `"1.5s"`,
 * `"2m"` in the given unit. Returns null for anything else.
 */
export function parseDuration(value: unknown, unitlessUnit: 'ms' | 's' = 'ms'): number | null {
  const scale = UNIT_MS[unitlessUnit] as number;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * scale : null;
  if (typeof value !== 'string') return null;
  const match = DURATION.exec(value.trim());
  if (!match) return null;
  const unit = match[2]?.toLowerCase();
  return Math.round(Number(match[1]) * (unit ? (UNIT_MS[unit] as number) : scale));
}

/** A verb timeout in ms: number or duration string; anything else → `fallback`. */
export function timeoutMs(value: unknown, fallback: number): number {
  return parseDuration(value) ?? fallback;
}
