/**
 * Serves a declared route (`@browserpane/api/contract`): checks who calls, validates path
 * parameters, query and JSON body against the declaration (one clear message naming the field:
 * `body.viewport.width must be …`), and answers what the handler returns, typed by the
 * declaration.
 */
import {
  describeIssue,
  errorMap,
  type InputOf,
  type JsonBody,
  type ReplyOf,
  type Route,
} from '@browserpane/api/contract';
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { config } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import { authenticateUser, bearerToken } from '../middleware/auth.ts';
import { verifyAutomationToken } from '../services/automation-token.ts';
import { DEFAULT_BODY_LIMIT, queryParams, readJson } from './request.ts';

export type Handler<R extends Route> = (
  c: Context<AppEnv>,
  input: InputOf<R>,
) => Promise<ReplyOf<R>>;

const AUTOMATION_HEADER = 'x-bpane-automation-access-token';

function check<T>(schema: z.ZodType<T>, value: unknown, root: string, code: ErrorCode): T {
  const parsed = schema.safeParse(value, { error: errorMap });
  if (parsed.success) return parsed.data;
  throw new AppError(code, describeIssue(root, parsed.error.issues, value), {
    cause: parsed.error,
  });
}

function params<R extends Route>(c: Context<AppEnv>, r: R): InputOf<R>['params'] {
  if (!r.params) return {} as InputOf<R>['params'];
  const raw: Record<string, string> = {};
  for (const key of Object.keys(r.params.shape)) raw[key] = c.req.param(key) ?? '';
  const parsed = r.params.safeParse(raw, { error: errorMap });
  if (parsed.success) return parsed.data as InputOf<R>['params'];
  const issue = parsed.error.issues[0];
  throw new AppError(
    'invalid_id',
    `path parameter ${String(issue?.path[0] ?? '')} ${issue?.message ?? 'is invalid'}`,
    { cause: parsed.error },
  );
}

function query<R extends Route>(c: Context<AppEnv>, r: R): Pick<InputOf<R>, 'query' | 'dynamic'> {
  const raw = queryParams(c);
  const dynamic: Record<string, Record<string, string>> = {};
  const declared: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const prefix = r.dynamicQuery?.find((d) => key.startsWith(d.prefix))?.prefix;
    if (prefix) dynamic[prefix] = { ...dynamic[prefix], [key.slice(prefix.length)]: value };
    else if (r.query && Object.hasOwn(r.query.shape, key)) declared[key] = value;
    else
      throw new AppError(
        'validation_failed',
        `query parameter "${key.slice(0, 60)}" is not supported here`,
      );
  }
  return {
    query: (r.query
      ? check(r.query, declared, 'query', 'validation_failed')
      : {}) as InputOf<R>['query'],
    dynamic,
  };
}

async function body<R extends Route>(c: Context<AppEnv>, r: R): Promise<InputOf<R>['body']> {
  if (!r.body || 'raw' in r.body) return undefined as InputOf<R>['body'];
  const declared = r.body as JsonBody;
  const value = await readJson(c, declared.limit ?? DEFAULT_BODY_LIMIT);
  if (value === undefined) {
    if (!declared.required) return undefined as InputOf<R>['body'];
    throw new AppError('validation_failed', 'this route needs a JSON request body');
  }
  return check(declared.schema, value, 'body', 'validation_failed') as InputOf<R>['body'];
}

/**
 * The automation access token of a `bearer_or_automation_token` route, when the caller sent one
 * and no bearer token (a bearer token wins).
 */
function automationToken<R extends Route>(c: Context<AppEnv>, r: R): string | null {
  if (r.auth !== 'bearer_or_automation_token') return null;
  if (bearerToken(c.req.header('authorization')) !== null) return null;
  return c.req.header(AUTOMATION_HEADER) ?? null;
}

/**
 * Checks a credential the declaration names but the edge cannot check generically (host
 * credential, enrolment and operator tokens): runs after the path parameters are valid and
 * before the query and body are read.
 */
export type Authorize<R extends Route> = (
  c: Context<AppEnv>,
  params: InputOf<R>['params'],
) => Promise<void>;

/** Registers a declared route on the app with its handler. */
export function implement<R extends Route>(
  app: Hono<AppEnv>,
  r: R,
  handler: Handler<R>,
  authorize?: Authorize<R>,
): void {
  if (
    !authorize &&
    ['host_credential', 'host_enrollment', 'operator', 'recording_worker'].includes(r.auth)
  )
    throw new Error(`${r.operationId}: a ${r.auth} route needs its authorize check`);
  const path = r.path.replace(/\{([A-Za-z_]+)\}/g, ':$1');
  app.on(r.method.toUpperCase(), path, async (c) => {
    // Who calls first (a request without credentials is a 401 whatever else is wrong with it);
    // host, enrolment and operator credentials are checked by their handlers.
    const automation = automationToken(c, r);
    if (automation === null && (r.auth === 'bearer' || r.auth === 'bearer_or_automation_token'))
      await authenticateUser(c);
    const p = params(c, r);
    if (automation !== null) {
      const sessionId = String((p as { session_id?: unknown }).session_id ?? '');
      const cfg = config(c.env);
      c.set('principal', await verifyAutomationToken(automation, sessionId, c.env, cfg, c.req.url));
    }
    await authorize?.(c, p);
    const { query: q, dynamic } = query(c, r);
    const input = { params: p, query: q, dynamic, body: await body(c, r) } as InputOf<R>;
    const reply = await handler(c, input);
    if (reply instanceof Response) return reply;
    const res = c.json(reply.body as object, reply.status as ContentfulStatusCode);
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.headers.set(k, v);
    return res;
  });
}
