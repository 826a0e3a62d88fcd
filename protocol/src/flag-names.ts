/** Bit mask for a list of flag names declared as `names` (bit i = names[i]). */
export function flagMask<const N extends readonly string[]>(
  names: N,
  set: Iterable<N[number]>,
): number {
  let mask = 0;
  for (const name of set) {
    const bit = names.indexOf(name);
    if (bit >= 0) mask |= 1 << bit;
  }
  return mask >>> 0;
}

/** The names of the bits set in `mask`. */
export function flagList<const N extends readonly string[]>(names: N, mask: number): N[number][] {
  return names.filter((_, bit) => (mask & (1 << bit)) !== 0);
}
