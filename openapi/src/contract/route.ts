/**
 * How a route is declared: once, as data. The edge validates requests and types its answers from
 * it, the OpenAPI document is generated from it, and the client's methods and types derive from it.
 */
import type { z } from 'zod';
import type { ErrorCode } from './errors.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call. `bearer`: an OIDC access token (users and service principals).
 * `bearer_or_automation_token`: that, or a session automation access token in
 * `x-bpane-automation-access-token`. Hosts use their credential, enrolment the enrolment token,
 * operator routes the operator token, the recording worker its recording's (or export's) token in
 * `x-bpane-recording-worker-token`.
 */
export type Auth =
  | 'none'
  | 'bearer'
  | 'bearer_or_automation_token'
  | 'host_credential'
  | 'host_enrollment'
  | 'operator'
  | 'recording_worker';

export interface JsonBody {
  readonly schema: z.ZodType;
  /** false: an empty body is allowed (every member optional; reference clients send bare POSTs). */
  readonly required: boolean;
  /** Largest accepted body in bytes (default 64 KiB). */
  readonly limit?: number;
}

/** A body the handler reads itself (file content, HTML forms). */
export interface RawBody {
  readonly raw: true;
  readonly contentType: string;
  readonly description: string;
  readonly schema?: z.ZodType;
}

export interface Reply {
  readonly description: string;
  /** JSON body schema; absent with a `contentType`: bytes or text the handler answers itself. */
  readonly schema?: z.ZodType;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Query parameters with dynamic names: `label.<key>` → a string. */
export interface DynamicQuery {
  readonly prefix: string;
  readonly description: string;
}

export interface Route {
  /** Also the client's method name. */
  readonly operationId: string;
  readonly method: Method;
  /** OpenAPI form: `/api/v1/sessions/{session_id}`. */
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly auth: Auth;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly dynamicQuery?: readonly DynamicQuery[];
  readonly body?: JsonBody | RawBody;
  readonly responses: Readonly<Record<number, Reply>>;
  /** Error codes this route may answer with (besides 405 and the common 5xx). */
  readonly errors: readonly ErrorCode[];
}

export function route<const R extends Route>(declared: R): R {
  return declared;
}

// --- types derived from a declaration ------------------------------------------------------------

type Schema<T> = T extends z.ZodType ? T : never;

export type SuccessStatus<R extends Route> = Extract<keyof R['responses'], 200 | 201 | 202 | 204>;

type DynamicKeys<R extends Route> = R['dynamicQuery'] extends readonly DynamicQuery[]
  ? { [K in `${R['dynamicQuery'][number]['prefix']}${string}`]?: string }
  : unknown;

/** What a caller passes: path parameters, query, JSON body. */
export type RequestOf<R extends Route> = (R['params'] extends z.ZodObject
  ? { params: z.input<Schema<R['params']>> }
  : { params?: undefined }) &
  (R['query'] extends z.ZodObject
    ? { query?: z.input<Schema<R['query']>> & DynamicKeys<R> }
    : { query?: undefined }) &
  (R['body'] extends JsonBody
    ? R['body']['required'] extends true
      ? { body: z.input<Schema<R['body']['schema']>> }
      : { body?: z.input<Schema<R['body']['schema']>> }
    : R['body'] extends RawBody
      ? { body: NonNullable<RequestInit['body']>; contentType?: string }
      : { body?: undefined });

/** What the edge's handler gets: validated parameters, query and body. */
export interface InputOf<R extends Route> {
  params: R['params'] extends z.ZodObject ? z.output<Schema<R['params']>> : Record<string, never>;
  query: R['query'] extends z.ZodObject ? z.output<Schema<R['query']>> : Record<string, never>;
  /** Dynamic query parameters by prefix, the prefix removed: `label.team=x` → `{ 'label.': { team: 'x' } }`. */
  dynamic: Record<string, Record<string, string>>;
  body: R['body'] extends JsonBody
    ? R['body']['required'] extends true
      ? z.output<Schema<R['body']['schema']>>
      : z.output<Schema<R['body']['schema']>> | undefined
    : undefined;
}

type JsonReply<R extends Route, S extends keyof R['responses']> = R['responses'][S] extends {
  schema: infer T extends z.ZodType;
}
  ? z.output<T>
  : never;

/** What a successful call returns to the client: the JSON body, or the raw response. */
export type ResponseOf<R extends Route> = {
  [S in SuccessStatus<R>]: R['responses'][S] extends { schema: z.ZodType }
    ? JsonReply<R, S>
    : Response;
}[SuccessStatus<R>];

/** What the edge's handler answers: a declared status with its body (type-checked), or a Response. */
export type ReplyOf<R extends Route> =
  | {
      [S in Extract<keyof R['responses'], number>]: R['responses'][S] extends {
        schema: infer T extends z.ZodType;
      }
        ? { status: S; body: z.input<T>; headers?: Record<string, string> }
        : never;
    }[Extract<keyof R['responses'], number>]
  | Response;
