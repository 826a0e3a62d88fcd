import { isRecord } from '../protocol/input.ts';
import type { VerbDefinition } from './types.ts';

const RESUME_ON = ['operator_click', 'poll', 'timeout'];
const DEFAULT_ACTIONS = [{ label: 'Resume', value: null }];

/** Stops the slice with `slice.paused`; wb resumes it later with `restore`. */
export const pauseForHuman: VerbDefinition = {
  name: 'pause_for_human',
  primaryKey: 'message',
  async run(args, ctx) {
    const resumeOn = args.resume_on ?? 'operator_click';
    if (typeof resumeOn !== 'string' || !RESUME_ON.includes(resumeOn)) {
      throw new Error(
        `pause_for_human: resume_on must be one of ${RESUME_ON.join(', ')} (got ${JSON.stringify(resumeOn)})`,
      );
    }
    const actions = args.actions ?? DEFAULT_ACTIONS;
    if (
      !Array.isArray(actions) ||
      actions.length === 0 ||
      !actions.every((action) => isRecord(action) && typeof action.label === 'string')
    ) {
      throw new Error('pause_for_human: actions must be a non-empty array of {label, value}');
    }
    const message = typeof args.message === 'string' ? args.message : '';
    const { session } = ctx;
    const handOff = session.vendor.handOff
      ? await session.vendor.handOff(session.allocation, { message, verbIndex: ctx.index })
      : {};
    return {
      pause: {
        reason: 'pause_for_human',
        message,
        context_url: args.context_url || null,
        resume_on: resumeOn,
        timeout: args.timeout || null,
        actions,
        verb: 'pause_for_human',
        verb_index: ctx.index,
        ...handOff,
        sidecar_state: { verb_index: ctx.index, session: session.pausedState() },
      },
    };
  },
};
