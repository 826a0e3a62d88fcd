/**
 * Times consecutive steps of a start: each `step(name)` records in `into` the milliseconds since
 * the previous step (or since the timer was made). Where a start spends its time goes in its logs.
 */
export function stepTimer(into: Record<string, number> = {}): (name: string) => void {
  let mark = performance.now();
  return (name) => {
    const now = performance.now();
    into[name] = Math.round(now - mark);
    mark = now;
  };
}
