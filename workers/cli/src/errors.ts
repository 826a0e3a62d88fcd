/**
 * How the CLI fails, each kind with its own exit code (scripts tell them apart):
 * 2 usage, 3 authentication or permission, 4 an API error answer, 5 the edge not reachable,
 * 1 a followed run that ended without succeeding.
 */
import { ApiError } from '@browserpane/api';

export const EXIT = { ok: 0, runFailed: 1, usage: 2, auth: 3, api: 4, unreachable: 5 } as const;

export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
}

export class AuthError extends Error {
  readonly exitCode = EXIT.auth;
}

/** The exit code and the one line to print for any failure. */
export function describeFailure(error: unknown): { code: number; message: string } {
  if (error instanceof UsageError || error instanceof AuthError)
    return { code: error.exitCode, message: error.message };
  if (error instanceof ApiError) {
    const where = error.requestId ? ` (request ${error.requestId})` : '';
    if (error.status === 0) return { code: EXIT.unreachable, message: error.message };
    if (error.status === 401 || error.status === 403)
      return {
        code: EXIT.auth,
        message: `${error.code}: ${error.message}${where}${error.status === 401 ? ' — sign in again (browserpane login)' : ''}`,
      };
    return { code: EXIT.api, message: `${error.code}: ${error.message}${where}` };
  }
  return { code: EXIT.api, message: (error as Error)?.message ?? String(error) };
}
