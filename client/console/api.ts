/**
 * The console's API client: the typed client of `@browserpane/api` on the page's own origin, with
 * the signed-in person's token.
 */
import { type Api, ApiError, createApi, type Session, type SessionStatus } from '@browserpane/api';

export { type Api, ApiError, type SessionStatus };
export type SessionResource = Session;

export function consoleApi(token: () => string | undefined): Api {
  return createApi({ baseUrl: '', token: () => token() });
}
