/**
 * What every command gets: the parsed arguments, the API client (edge URL and token from
 * `--api-url`/`--token`, else `BROWSERPANE_API_URL`/`BROWSERPANE_TOKEN`, else the saved login),
 * and the output (human lines, or JSON with `--json`).
 */
import { type Api, createApi } from '@browserpane/api';
import type { Parsed } from './args.ts';
import { AuthError, UsageError } from './errors.ts';
import { readLogin } from './login-store.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Reads all of stdin (a token piped in). */
  stdin(): Promise<string>;
}

export interface Context {
  args: Parsed;
  io: Io;
  json: boolean;
  apiUrl(): string;
  /** The client; `auth: false` for calls without a token (login checks its own). */
  api(auth?: boolean): Api;
  /** Prints a value: JSON with `--json`, else the human rendering. */
  print(value: unknown, human: () => string): void;
}

export function createContext(args: Parsed, io: Io): Context {
  const saved = readLogin(io.env);
  const apiUrl = () => {
    const url = args.values.get('api-url') ?? io.env.BROWSERPANE_API_URL ?? saved?.api_url;
    if (!url)
      throw new UsageError(
        'no edge to talk to: pass --api-url, set BROWSERPANE_API_URL, or run browserpane login',
      );
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
    } catch {
      throw new UsageError(`--api-url must be an http(s) URL (got ${JSON.stringify(url)})`);
    }
    return url.replace(/\/+$/, '');
  };
  const token = () => {
    const explicit = args.values.get('token') ?? io.env.BROWSERPANE_TOKEN;
    if (explicit) return explicit;
    // A saved token belongs to the edge it was saved for.
    if (saved && saved.api_url === apiUrl()) return saved.token;
    throw new AuthError(
      'not signed in: pass --token, set BROWSERPANE_TOKEN, or run browserpane login',
    );
  };
  return {
    args,
    io,
    json: args.flags.has('json'),
    apiUrl,
    api(auth = true) {
      const baseUrl = apiUrl();
      const t = auth ? token() : undefined;
      return createApi({ baseUrl, ...(t ? { token: () => t } : {}), timeoutMs: 60_000 });
    },
    print(value, human) {
      io.out(this.json ? JSON.stringify(value, null, 2) : human());
    },
  };
}
