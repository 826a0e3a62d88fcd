/**
 * The saved login (`browserpane login`): the edge's URL and a bearer token in
 * `<config dir>/login.json`, readable by the user only (mode 0600). The config dir is
 * `BROWSERPANE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/browserpane`, else `~/.config/browserpane`.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface SavedLogin {
  api_url: string;
  token: string;
  saved_at: string;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BROWSERPANE_CONFIG_DIR) return env.BROWSERPANE_CONFIG_DIR;
  const xdg = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(xdg, 'browserpane');
}

const file = (env: NodeJS.ProcessEnv) => join(configDir(env), 'login.json');

export function readLogin(env: NodeJS.ProcessEnv = process.env): SavedLogin | null {
  try {
    const parsed = JSON.parse(readFileSync(file(env), 'utf8')) as Partial<SavedLogin>;
    if (typeof parsed.api_url === 'string' && typeof parsed.token === 'string')
      return parsed as SavedLogin;
    return null;
  } catch {
    return null;
  }
}

export function saveLogin(login: SavedLogin, env: NodeJS.ProcessEnv = process.env): string {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = file(env);
  writeFileSync(path, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export function forgetLogin(env: NodeJS.ProcessEnv = process.env): boolean {
  const path = file(env);
  try {
    readFileSync(path);
  } catch {
    return false;
  }
  rmSync(path, { force: true });
  return true;
}
