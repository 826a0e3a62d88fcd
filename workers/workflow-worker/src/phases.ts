/**
 * Where a run's time goes, as the worker sees it: named durations, one after the other, reported
 * with the `succeeded` state (`data.phases_ms`, `data.claim_sent_at`) so the overhead of a run
 * (its wall time minus its entrypoint's own time) can be taken apart.
 */
export class Phases {
  /** The worker's wall clock when it asked for the run (the pickup ends there). */
  readonly claimSentAt = Date.now();
  readonly ms: Record<string, number> = {};
  private last = performance.now();

  /** The time since the previous mark goes to `name`. */
  mark(name: string): void {
    const now = performance.now();
    this.ms[name] = (this.ms[name] ?? 0) + (now - this.last);
    this.last = now;
  }

  /** Splits the phase `name` into the parts an executor measured (the rest stays in `name`). */
  split(name: string, parts: Record<string, number> | undefined): void {
    if (!parts) return;
    for (const [part, value] of Object.entries(parts)) {
      if (!(value >= 0)) continue;
      this.ms[part] = (this.ms[part] ?? 0) + value;
      this.ms[name] = (this.ms[name] ?? 0) - value;
    }
    if ((this.ms[name] ?? 0) < 0) this.ms[name] = 0;
  }

  report(): { phases_ms: Record<string, number>; claim_sent_at: number } {
    const rounded = Object.fromEntries(
      Object.entries(this.ms).map(([k, v]) => [k, Math.round(v * 10) / 10]),
    );
    return { phases_ms: rounded, claim_sent_at: this.claimSentAt };
  }
}
