/**
 * Build caches of local tooling (the edge worker bundle, the console's dist): a file's size and
 * modification time stand for its content, so a build whose inputs all kept theirs is skipped.
 */
import { statSync } from 'node:fs';

/** [size, mtimeMs] of each file, by absolute path. */
export type Stamps = Record<string, [number, number]>;

/** The file's size and modification time, or null when it is gone. */
export function fileStamp(path: string): [number, number] | null {
  try {
    const s = statSync(path);
    return [s.size, s.mtimeMs];
  } catch {
    return null;
  }
}

/** True when every file still has the size and modification time recorded for it. */
export function stampsHold(stamps: Stamps): boolean {
  return Object.entries(stamps).every(([path, [size, mtime]]) => {
    const now = fileStamp(path);
    return now !== null && now[0] === size && now[1] === mtime;
  });
}

/** The stamps of the files that exist, and the paths of those that do not. */
export function takeStamps(paths: readonly string[]): { stamps: Stamps; missing: string[] } {
  const stamps: Stamps = {};
  const missing: string[] = [];
  for (const path of paths) {
    const now = fileStamp(path);
    if (now) stamps[path] = now;
    else missing.push(path);
  }
  return { stamps, missing };
}
