import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/** The OpenAPI document and a validator of real responses against it. */

export const SPEC_PATH = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'openapi',
  'browserpane-control-v1.yaml',
);
export const SPEC = parse(readFileSync(SPEC_PATH, 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, unknown> } | unknown>>;
  components: Record<string, Record<string, unknown>>;
};

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(SPEC as object, 'spec');

const compiled = new Map<string, ValidateFunction>();

function pointer(...parts: string[]): string {
  return parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/** Documented (method, path template) pairs. */
export function documentedOperations(): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  for (const [path, item] of Object.entries(SPEC.paths)) {
    for (const method of HTTP_METHODS) if (item[method]) out.push({ method, path });
  }
  return out;
}

const templates = Object.keys(SPEC.paths).map((path) => ({
  path,
  regex: new RegExp(
    `^${path
      .replace(/[.]/g, '\\.')
      .replace(/\{path\}/g, '.+')
      .replace(/\{[^}]+\}/g, '[^/]+')}$`,
  ),
  literal: !path.includes('{'),
}));

/** The documented path template a concrete path matches (literal paths win over templates). */
export function matchPath(pathname: string): string | null {
  const hits = templates.filter((t) => t.regex.test(pathname));
  return (hits.find((t) => t.literal) ?? hits[0])?.path ?? null;
}

export interface Observation {
  method: string;
  path: string;
  status: number;
}

export const observed: Observation[] = [];

function resolveRef(node: unknown): { node: Record<string, unknown>; ref?: string } {
  const n = node as Record<string, unknown>;
  if (typeof n?.$ref === 'string') {
    const parts = n.$ref.replace(/^#\//, '').split('/');
    let cur: unknown = SPEC;
    for (const p of parts) cur = (cur as Record<string, unknown>)[p];
    return { node: cur as Record<string, unknown>, ref: n.$ref };
  }
  return { node: n };
}

/**
 * Checks one real response against the document: the path and method are documented, the status
 * is a documented response of that operation (405 answers and 404 route misses use the Error
 * schema), and a JSON body validates against the response schema. Returns problems, [] when fine.
 */
export function checkResponse(
  method: string,
  pathname: string,
  status: number,
  contentType: string,
  body: unknown,
): string[] {
  const m = method.toLowerCase();
  const path = matchPath(pathname);
  const label = `${method} ${pathname} → ${status}`;
  const errorSchemaPtr = `spec#/components/schemas/Error`;
  if (!path || !(SPEC.paths[path] as Record<string, unknown>)[m]) {
    // Undocumented method or path: only the uniform 404/405 error answers are acceptable.
    if (status !== 404 && status !== 405 && status !== 401)
      return [`${label}: undocumented operation answered ${status}`];
    return validate(errorSchemaPtr, body, label);
  }
  observed.push({ method: m, path, status });
  const op = (SPEC.paths[path] as Record<string, { responses: Record<string, unknown> }>)[m] as {
    responses: Record<string, unknown>;
  };
  const documented = op.responses[String(status)];
  if (!documented) {
    if (status === 405 || status === 401 || status === 415 || status === 413)
      return validate(errorSchemaPtr, body, label);
    return [`${label}: status ${status} is not documented for ${m.toUpperCase()} ${path}`];
  }
  const { node: response, ref } = resolveRef(documented);
  const content = response.content as Record<string, { schema?: unknown }> | undefined;
  if (!content) return [];
  const type = contentType.split(';')[0]?.trim() ?? '';
  const mediaKey = Object.keys(content).find((k) => k === type || k === '*/*');
  if (!mediaKey)
    return [`${label}: content-type ${type} not documented (${Object.keys(content).join(', ')})`];
  if (!type.includes('json')) return [];
  const ptr = ref
    ? `spec#/${ref.replace(/^#\//, '')}/content/${pointer(mediaKey)}/schema`
    : `spec#/paths/${pointer(path)}/${m}/responses/${status}/content/${pointer(mediaKey)}/schema`;
  return validate(ptr, body, label);
}

/** Checks a body against the one error shape (answers no operation documents, e.g. the local front's). */
export function checkErrorBody(body: unknown, label: string): string[] {
  return validate('spec#/components/schemas/Error', body, label);
}

function validate(ptr: string, body: unknown, label: string): string[] {
  let fn = compiled.get(ptr);
  if (!fn) {
    fn = ajv.compile({ $ref: ptr });
    compiled.set(ptr, fn);
  }
  if (fn(body)) return [];
  return (fn.errors ?? []).map(
    (e) => `${label}: body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
  );
}

/** Validates a request body against the documented request schema (proves the spec accepts what clients send). */
export function checkRequest(method: string, pathname: string, body: unknown): string[] {
  const path = matchPath(pathname);
  if (!path) return [];
  const op = (
    SPEC.paths[path] as Record<string, { requestBody?: { content?: Record<string, unknown> } }>
  )[method.toLowerCase()];
  if (!op?.requestBody?.content?.['application/json']) return [];
  return validate(
    `spec#/paths/${pointer(path)}/${method.toLowerCase()}/requestBody/content/${pointer('application/json')}/schema`,
    body,
    `${method} ${pathname} request`,
  );
}
