/** `session list|create|stop`. */
import { intArg, pairsArg } from '../args.ts';
import { type Command, table, when } from '../command.ts';
import { onePositional } from './workflows.ts';

export const sessionList: Command = {
  path: ['session', 'list'],
  summary: 'Your sessions, newest first',
  options: { limit: { kind: 'value', meta: 'n', help: 'at most this many (default 50)' } },
  async run(ctx) {
    const limit = ctx.args.values.get('limit');
    const list = await ctx.api().listSessions({
      query: limit ? { limit: intArg('limit', limit, 1, 500) } : {},
    });
    ctx.print(list, () =>
      list.sessions.length === 0
        ? 'no sessions'
        : table([
            ['ID', 'STATE', 'LABELS', 'CREATED'],
            ...list.sessions.map((s) => [
              s.id,
              s.state,
              Object.entries(s.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(','),
              when(s.created_at),
            ]),
          ]),
    );
    return 0;
  },
};

export const sessionCreate: Command = {
  path: ['session', 'create'],
  summary: 'Create a session (a browser on a host)',
  options: {
    label: { kind: 'list', meta: 'key=value', help: 'a label (repeatable)' },
    'idle-timeout-sec': {
      kind: 'value',
      meta: 's',
      help: 'stop it after this long without viewers',
    },
    extension: {
      kind: 'list',
      meta: 'id',
      help: 'an approved extension to load into its browser (repeatable)',
    },
  },
  async run(ctx) {
    const idle = ctx.args.values.get('idle-timeout-sec');
    const session = await ctx.api().createSession({
      body: {
        ...(ctx.args.lists.has('label')
          ? { labels: pairsArg('label', ctx.args.lists.get('label') ?? []) }
          : {}),
        ...(idle ? { idle_timeout_sec: intArg('idle-timeout-sec', idle, 1, 604_800) } : {}),
        ...(ctx.args.lists.has('extension')
          ? { extension_ids: ctx.args.lists.get('extension') ?? [] }
          : {}),
      },
    });
    ctx.print(session, () => `${session.id} ${session.state}`);
    return 0;
  },
};

export const sessionStop: Command = {
  path: ['session', 'stop'],
  positionals: ['<session-id>'],
  summary: 'Stop a session (its profile is kept)',
  async run(ctx) {
    const session = await ctx.api().stopSession({
      params: { session_id: onePositional(ctx, sessionStop, 'a session id') },
    });
    ctx.print(session, () => `${session.id} ${session.state}`);
    return 0;
  },
};
