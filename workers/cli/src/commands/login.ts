/** `login` / `logout`: save (after checking it) or forget the edge URL and token. */

import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { forgetLogin, saveLogin } from '../login-store.ts';

export const login: Command = {
  path: ['login'],
  summary: 'Save the edge URL and a token for later commands',
  details: `The token is checked against the edge (GET /api/v1/me) before it is saved, readable by you
only, in the config dir (BROWSERPANE_CONFIG_DIR, else $XDG_CONFIG_HOME/browserpane, else
~/.config/browserpane). Pass it with --token, or --token - to read it from stdin (keeps it out of
the shell history).`,
  async run(ctx) {
    const raw = ctx.args.values.get('token') ?? ctx.io.env.BROWSERPANE_TOKEN;
    if (!raw) throw new UsageError('login needs --token <token> (or --token - to read stdin)');
    const token = raw === '-' ? (await ctx.io.stdin()).trim() : raw;
    if (!token) throw new UsageError('the token read from stdin is empty');
    const apiUrl = ctx.apiUrl();
    const { createApi } = await import('@browserpane/api');
    const me = await createApi({ baseUrl: apiUrl, token: () => token }).getMe();
    const path = saveLogin(
      { api_url: apiUrl, token, saved_at: new Date().toISOString() },
      ctx.io.env,
    );
    ctx.print(
      { api_url: apiUrl, principal_id: me.principal_id, saved_to: path },
      () => `signed in to ${apiUrl} as ${me.name}; saved to ${path}`,
    );
    return 0;
  },
};

export const logout: Command = {
  path: ['logout'],
  summary: 'Forget the saved login',
  async run(ctx) {
    const removed = forgetLogin(ctx.io.env);
    ctx.print({ removed }, () => (removed ? 'the saved login is gone' : 'no saved login'));
    return 0;
  },
};
