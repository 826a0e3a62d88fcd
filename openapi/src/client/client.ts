/**
 * A typed fetch client of API v1: one method per declared route (named by its operation id),
 * requests and answers typed from the declarations, every failure an {@link ApiError}. Plain
 * `fetch`: runs in browsers, Node and workerd.
 */
import type { RequestOf, ResponseOf, Route } from '../contract/route.ts';
import { type Routes, routes } from '../contract/routes/index.ts';
import { ApiError } from './api-error.ts';

/**
 * The bearer token to send; `renew` is true after a 401, once: return a fresh token (e.g. a new
 * client-credentials grant) or undefined to give up.
 */
export type TokenSource = (renew: boolean) => string | undefined | Promise<string | undefined>;

export interface ApiOptions {
  /** The edge's origin, e.g. `https://edge.example.com`; '' for the page's own origin. */
  baseUrl: string;
  token?: TokenSource;
  /** Default: the global `fetch` (wrap it for retries or logging). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Per request; default 15 s. 0: none. */
  timeoutMs?: number;
}

export interface CallOptions {
  /** This call's credential instead of the token source (host credential, operator token); null: none. */
  token?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

type Method<R extends Route> =
  Record<string, never> extends RequestOf<R>
    ? (request?: RequestOf<R>, options?: CallOptions) => Promise<ResponseOf<R>>
    : (request: RequestOf<R>, options?: CallOptions) => Promise<ResponseOf<R>>;

/** One method per route of the contract. */
export type Api = { [K in keyof Routes]: Method<Routes[K]> };

interface AnyRequest {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
}

function pathOf(r: Route, params: Record<string, string | number> | undefined): string {
  return r.path.replace(/\{([A-Za-z_]+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined)
      throw new TypeError(`${r.operationId}: path parameter ${name} is missing`);
    return encodeURIComponent(String(value));
  });
}

function queryOf(query: AnyRequest['query']): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}

/** What a failed call is called in messages: the route with its parameters elided. */
function label(r: Route): string {
  return `${r.method.toUpperCase()} ${r.path}`;
}

export function createApi(options: ApiOptions): Api {
  const doFetch = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  const base = options.baseUrl.replace(/\/+$/, '');

  async function call(
    r: Route,
    request: AnyRequest = {},
    call: CallOptions = {},
  ): Promise<unknown> {
    const url = `${base}${pathOf(r, request.params)}${queryOf(request.query)}`;
    const raw = r.body !== undefined && 'raw' in r.body;
    const headers: Record<string, string> = { ...call.headers };
    let body: RequestInit['body'];
    if (request.body !== undefined) {
      if (raw) {
        body = request.body as RequestInit['body'];
        if (request.contentType) headers['content-type'] = request.contentType;
      } else {
        body = JSON.stringify(request.body);
        headers['content-type'] = 'application/json';
      }
    }
    const streaming = typeof ReadableStream !== 'undefined' && body instanceof ReadableStream;
    for (let attempt = 0; ; attempt++) {
      const token = call.token !== undefined ? call.token : await options.token?.(attempt > 0);
      if (token) headers.authorization = `Bearer ${token}`;
      else delete headers.authorization;
      const timeoutMs = call.timeoutMs ?? options.timeoutMs ?? 15_000;
      const signals = [
        call.signal,
        timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined,
      ].filter((s): s is AbortSignal => s !== undefined);
      let res: Response;
      try {
        res = await doFetch(url, {
          method: r.method.toUpperCase(),
          headers,
          body,
          ...(signals.length > 0
            ? { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) }
            : {}),
          ...(streaming ? { duplex: 'half' } : {}),
        } as RequestInit);
      } catch (error) {
        const timeout = (error as Error)?.name === 'TimeoutError';
        throw new ApiError(
          0,
          timeout ? 'timeout' : 'unreachable',
          `${label(r)}: ${timeout ? 'no answer in time' : `the edge is unreachable (${(error as Error)?.message})`}`,
          { cause: error },
        );
      }
      if (
        res.status === 401 &&
        attempt === 0 &&
        call.token === undefined &&
        options.token !== undefined &&
        !streaming
      ) {
        await res.body?.cancel();
        continue;
      }
      if (!res.ok) {
        throw ApiError.fromAnswer(res.status, res.statusText, await res.text(), label(r));
      }
      const reply = r.responses[res.status];
      if (!reply?.schema) return res;
      const text = await res.text();
      try {
        return text ? (JSON.parse(text) as unknown) : undefined;
      } catch (error) {
        throw new ApiError(res.status, 'invalid_answer', `${label(r)}: the answer is not JSON`, {
          cause: error,
        });
      }
    }
  }

  const api: Record<string, unknown> = {};
  for (const [name, r] of Object.entries(routes) as [string, Route][])
    api[name] = (request?: AnyRequest, callOptions?: CallOptions) => call(r, request, callOptions);
  return api as Api;
}
