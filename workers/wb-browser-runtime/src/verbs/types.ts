// What a verb sees and returns.

import type { Page } from 'playwright-core';
import type { RuntimeConfig } from '../config.ts';
import type { Emit } from '../protocol/frames.ts';
import type { Logger } from '../protocol/log.ts';
import type { Output } from '../protocol/output.ts';
import type { Session } from '../session/session.ts';
import type { Redactor } from '../substitution/redactor.ts';
import type { Env } from '../util/env.ts';

export type VerbArgs = Record<string, unknown>;

/** Per-slice state shared by the verbs of one slice. */
export interface SliceState {
  /** Result of the last `eval`/`extract` in this slice (undefined = none). */
  lastResult: unknown;
  blockIndex: number | null;
}

export interface VerbContext {
  readonly name: string;
  readonly index: number;
  readonly page: Page;
  readonly session: Session;
  readonly slice: SliceState;
  readonly config: RuntimeConfig;
  readonly env: Env;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly output: Output;
  readonly emit: Emit;
}

/** Returned by `pause_for_human`: the slice stops with `slice.paused` carrying these fields. */
export interface PauseSignal {
  pause: Record<string, unknown>;
}

export type VerbOutcome = string | PauseSignal;

export interface VerbDefinition {
  readonly name: string;
  /** The field a bare string argument fills (`click: "#go"` → `{selector: "#go"}`). */
  readonly primaryKey: string;
  run(args: VerbArgs, ctx: VerbContext): Promise<VerbOutcome>;
}

export function isPause(outcome: VerbOutcome): outcome is PauseSignal {
  return typeof outcome === 'object' && outcome !== null && 'pause' in outcome;
}
