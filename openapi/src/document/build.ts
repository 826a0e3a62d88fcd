/**
 * Builds the OpenAPI 3.1 document from the route declarations: paths and operations from the
 * routes, components from the named schemas (request bodies in their input form, answers in their
 * output form), error answers from each route's error codes.
 */
import { z } from 'zod';
import { COMMON_ERRORS, ERROR_CODES, type ErrorCode, STATUS_MEANINGS } from '../contract/errors.ts';
import type { Auth, JsonBody, Route } from '../contract/route.ts';
import { routes } from '../contract/routes/index.ts';
import { ErrorBody } from '../contract/schemas/error.ts';

type Json = Record<string, unknown>;
type Io = 'input' | 'output';

const COMPONENT = '#/components/schemas/';

const INFO = {
  title: 'BrowserPane control plane',
  version: '1.0.0',
  description:
    "The edge's HTTP API v1, generated from the route declarations in `openapi/src/contract` (do not edit by hand: `npm run generate -w @browserpane/api`). A superset of the reference's frozen v1 session contract: every member and status it requires, every body its clients send; our own members are additive. Sessions are owner-scoped: a session another principal owns answers 404, exactly like one that does not exist. Users and automation authenticate with OIDC bearer tokens; hosts enrol with the enrolment token and heartbeat with their own credential; operators use the operator token. Every error has the shape `{ error: <message>, code, request_id }` (plus `details` where a client can act on them); the request id is also in the `x-request-id` header. Connect tickets are EdDSA JWTs (aud `browserpane-relay`, exp at most 60 s after iat) verifiable against `/.well-known/jwks.json`.",
};

const TAGS = [
  { name: 'sessions', description: 'Session resources and their lifecycle.' },
  {
    name: 'session control',
    description: 'Connect tickets, automation access, live connections and automation ownership.',
  },
  {
    name: 'hosts',
    description: 'Host registry and scheduler (the contract host agents code against).',
  },
  {
    name: 'recordings',
    description: 'Session recordings (WebM segments), their playback manifest and exports.',
  },
  {
    name: 'recording worker',
    description: 'What the recording worker beside each host calls, with its recording token.',
  },
  { name: 'identity', description: 'Who the caller is; the development OIDC issuer.' },
  { name: 'platform', description: 'Health, keys, documentation and the console.' },
  { name: 'workflows', description: 'Workflow definitions and their immutable, pinned versions.' },
  {
    name: 'workflow runs',
    description:
      'Runs of a version against a session: admission, hand-off to a person, logs, events, produced files.',
  },
  {
    name: 'workflow worker',
    description: "The workflow worker's side (its service principal only).",
  },
  {
    name: 'credential bindings',
    description:
      "Secrets for workflow runs: encrypted at rest, never returned, granted to runs, resolved only by the run's worker.",
  },
  {
    name: 'file workspaces',
    description:
      'Reusable stores of files: bound into sessions, mounted as run inputs, the target of files runs produce.',
  },
];

const SECURITY_SCHEMES = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An OIDC access token from the configured issuer (users and service principals).',
  },
  sessionAutomationAccessToken: {
    type: 'apiKey',
    in: 'header',
    name: 'x-bpane-automation-access-token',
    description: 'The token of `POST /api/v1/sessions/{session_id}/automation-access`.',
  },
  hostEnrollment: {
    type: 'http',
    scheme: 'bearer',
    description: 'The HOST_ENROLLMENT_TOKEN secret.',
  },
  hostCredential: {
    type: 'http',
    scheme: 'bearer',
    description: 'The host_credential returned by enrolment.',
  },
  operatorToken: { type: 'http', scheme: 'bearer', description: 'The OPERATOR_TOKEN secret.' },
  recordingWorkerAccessToken: {
    type: 'apiKey',
    in: 'header',
    name: 'x-bpane-recording-worker-token',
    description:
      "A recording's (or export's) worker token, from its host's desired state: short-lived, bound to that recording; never in a URL, a body the edge stores, or a log.",
  },
};

const SECURITY: Record<Auth, Json[]> = {
  none: [],
  bearer: [{ bearerAuth: [] }],
  bearer_or_automation_token: [{ bearerAuth: [] }, { sessionAutomationAccessToken: [] }],
  host_credential: [{ hostCredential: [] }],
  host_enrollment: [{ hostEnrollment: [] }],
  operator: [{ operatorToken: [] }],
  recording_worker: [{ recordingWorkerAccessToken: [] }],
};

/** zod's JSON Schema of one schema, its named parts as `$ref`s to components. */
function jsonSchema(schema: z.ZodType, io: Io, components: Map<string, Json>): Json {
  const out = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    reused: 'inline',
  }) as Json;
  const defs = (out.$defs ?? {}) as Record<string, Json>;
  delete out.$defs;
  delete out.$schema;
  for (const [id, def] of Object.entries(defs)) addComponent(components, id, relink(def), io);
  return relink(out);
}

const SAFE_INTEGER_BOUND = 9_007_199_254_740_991;

/** `$defs` references become component references; zod's implicit safe-integer bounds go. */
function relink(node: Json): Json {
  return JSON.parse(JSON.stringify(node).replaceAll('"#/$defs/', `"${COMPONENT}`), (key, value) =>
    (key === 'minimum' || key === 'maximum') && Math.abs(value) === SAFE_INTEGER_BOUND
      ? undefined
      : value,
  ) as Json;
}

const seen = new Map<string, Io>();

function addComponent(components: Map<string, Json>, id: string, body: Json, io: Io): void {
  const before = components.get(id);
  if (before && JSON.stringify(before) !== JSON.stringify(body)) {
    throw new Error(
      `schema ${id} reads differently as ${io} and ${seen.get(id)}: name the request and answer forms apart`,
    );
  }
  components.set(id, body);
  seen.set(id, io);
}

function parameters(r: Route, components: Map<string, Json>): Json[] {
  const out: Json[] = [];
  const add = (where: 'path' | 'query', shape: z.ZodObject | undefined) => {
    if (!shape) return;
    const schema = jsonSchema(shape, 'input', components) as {
      properties?: Record<string, Json>;
      required?: string[];
    };
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      const { description, ...rest } = prop as Json & { description?: string };
      out.push({
        name,
        in: where,
        required: where === 'path' || (schema.required ?? []).includes(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  };
  add('path', r.params);
  add('query', r.query);
  for (const d of r.dynamicQuery ?? []) {
    out.push({
      name: `${d.prefix}{key}`,
      in: 'query',
      required: false,
      description: `${d.description} Repeat with other keys; the parameter name is \`${d.prefix}\` and the key.`,
      schema: { type: 'string' },
    });
  }
  return out;
}

function requestBody(r: Route, components: Map<string, Json>): Json | undefined {
  const body = r.body;
  if (!body) return undefined;
  if ('raw' in body) {
    return {
      required: true,
      description: body.description,
      content: {
        [body.contentType]: {
          schema: body.schema
            ? jsonSchema(body.schema, 'input', components)
            : { type: 'string', format: 'binary' },
        },
      },
    };
  }
  const json = body as JsonBody;
  return {
    required: json.required,
    ...(json.required ? {} : { description: 'Optional: an empty body takes the defaults.' }),
    content: { 'application/json': { schema: jsonSchema(json.schema, 'input', components) } },
  };
}

function errorResponses(r: Route): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  const codes: ErrorCode[] = [...r.errors, ...(r.auth === 'none' ? [] : COMMON_ERRORS)];
  if (r.path.startsWith('/api/')) codes.push('method_not_allowed');
  for (const code of codes) {
    const status = ERROR_CODES[code];
    byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])]);
  }
  const out: Record<string, Json> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: `${STATUS_MEANINGS[status] ?? 'An error.'} Codes: ${list.map((c) => `\`${c}\``).join(', ')}.`,
      content: { 'application/json': { schema: { $ref: `${COMPONENT}Error` } } },
    };
  }
  return out;
}

function responses(r: Route, components: Map<string, Json>): Json {
  const out: Record<string, Json> = errorResponses(r);
  for (const [status, reply] of Object.entries(r.responses)) {
    const headers = reply.headers
      ? Object.fromEntries(
          Object.entries(reply.headers).map(([name, description]) => [
            name,
            { description, schema: { type: 'string' } },
          ]),
        )
      : undefined;
    const content = reply.schema
      ? {
          [reply.contentType ?? 'application/json']: {
            schema: jsonSchema(reply.schema, 'output', components),
          },
        }
      : reply.contentType
        ? { [reply.contentType]: { schema: { type: 'string' } } }
        : undefined;
    out[status] = {
      description: reply.description,
      ...(headers ? { headers } : {}),
      ...(content ? { content } : {}),
    };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => Number(a) - Number(b)));
}

/** The whole document, as a plain object (stable key order: the routes' order). */
export function buildDocument(): Json {
  const components = new Map<string, Json>();
  seen.clear();
  jsonSchema(ErrorBody, 'output', components);
  const paths: Record<string, Record<string, Json>> = {};
  const methods = ['get', 'post', 'put', 'patch', 'delete'];
  const ordered = (Object.values(routes) as Route[]).sort(
    (a, b) => a.path.localeCompare(b.path) || methods.indexOf(a.method) - methods.indexOf(b.method),
  );
  for (const r of ordered) {
    const item = paths[r.path] ?? {};
    paths[r.path] = item;
    const params = parameters(r, components);
    const body = requestBody(r, components);
    item[r.method] = {
      tags: [r.tag],
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      security: SECURITY[r.auth],
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(body ? { requestBody: body } : {}),
      responses: responses(r, components),
    };
  }
  return {
    openapi: '3.1.0',
    info: INFO,
    servers: [{ url: 'http://localhost:8787', description: 'local stack (npm start)' }],
    tags: TAGS,
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: SECURITY_SCHEMES,
      schemas: Object.fromEntries([...components].sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}
