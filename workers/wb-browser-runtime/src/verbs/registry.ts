// The verb registry (order = `supports` in `ready`) and the dispatch rules for a raw verb entry.

import { isRecord } from '../protocol/input.ts';
import { announceArtifact } from './announce-artifact.ts';
import { assert } from './assert.ts';
import { click } from './click.ts';
import { download } from './download.ts';
import { evaluate } from './eval.ts';
import { extract } from './extract.ts';
import { fill } from './fill.ts';
import { goto } from './goto.ts';
import { pauseForHuman } from './pause-for-human.ts';
import { press } from './press.ts';
import { save } from './save.ts';
import { screenshot } from './screenshot.ts';
import type { VerbArgs, VerbDefinition } from './types.ts';
import { waitFor } from './wait-for.ts';
import { waitForDrop } from './wait-for-drop.ts';
import { waitForNetworkIdle } from './wait-for-network-idle.ts';

export const VERBS: readonly VerbDefinition[] = [
  goto,
  fill,
  click,
  press,
  waitFor,
  waitForNetworkIdle,
  screenshot,
  extract,
  assert,
  evaluate,
  save,
  pauseForHuman,
  waitForDrop,
  announceArtifact,
  download,
];

const BY_NAME = new Map(VERBS.map((verb) => [verb.name, verb]));

export function findVerb(name: string): VerbDefinition | undefined {
  return BY_NAME.get(name);
}

/**
 * Name and raw argument of a verb entry: the first own key of an object (`{}` → "verb"), or the
 * entry itself stringified (so a bare `"wait_for_network_idle"` works).
 */
export function verbName(entry: unknown): { name: string; raw: unknown } {
  if (typeof entry === 'object' && entry !== null) {
    const key = Object.keys(entry)[0];
    if (key === undefined) return { name: 'verb', raw: undefined };
    return { name: key, raw: (entry as Record<string, unknown>)[key] };
  }
  return { name: String(entry), raw: undefined };
}

/**
 * A string (or number) argument fills the verb's primary key (`wait_for_network_idle: 4000`); an
 * object is used as is; anything else → {}.
 */
export function verbArgs(verb: VerbDefinition, raw: unknown): VerbArgs {
  if (typeof raw === 'string' || (typeof raw === 'number' && Number.isFinite(raw))) {
    return { [verb.primaryKey]: raw };
  }
  if (isRecord(raw)) return raw;
  return {};
}
