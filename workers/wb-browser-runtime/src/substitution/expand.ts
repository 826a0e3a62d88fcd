// `{{ env.NAME }}` / `{{ artifacts.NAME }}` expansion of verb arguments, with `\{{` as an escape.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../protocol/log.ts';
import type { Env } from '../util/env.ts';
import type { Redactor } from './redactor.ts';

export type MissingPolicy = 'warn' | 'empty' | 'error';
const POLICIES: readonly string[] = ['warn', 'empty', 'error'];

// One left-to-right pass; the escape is an alternative of its own so its output is never re-scanned.
const PATTERN =
  /\\\{\{|\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\{\{\s*artifacts\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g;

export class SubstitutionError extends Error {}

export interface SubstitutionContext {
  env: Env;
  artifactsDir: string | null;
  logger: Logger;
  redactor: Redactor;
  /** Per-slice cache of artifact reads (first read wins within a slice). */
  artifactCache: Map<string, string | null>;
}

let warnedPolicy: string | undefined;

/** WB_SUBSTITUTION_ON_MISSING, re-read on every use; an invalid value warns once and means `warn`. */
export function missingPolicy(env: Env, logger: Logger): MissingPolicy {
  const raw = (env.WB_SUBSTITUTION_ON_MISSING ?? '').trim().toLowerCase();
  if (raw === '') return 'warn';
  if (POLICIES.includes(raw)) return raw as MissingPolicy;
  if (warnedPolicy !== raw) {
    warnedPolicy = raw;
    logger.warn(
      `WB_SUBSTITUTION_ON_MISSING=${JSON.stringify(raw)} is not warn|empty|error; using warn`,
    );
  }
  return 'warn';
}

export function expandString(input: string, ctx: SubstitutionContext): string {
  if (!input.includes('{{')) return input;
  return input.replace(PATTERN, (match, envName?: string, artifactName?: string) => {
    if (match.startsWith('\\')) return '{{';
    const ref = envName !== undefined ? `env.${envName}` : `artifacts.${artifactName}`;
    const value =
      envName !== undefined ? ctx.env[envName] : readArtifact(artifactName as string, ctx);
    if (value === undefined || value === null) return onMissing(ref, ctx);
    ctx.redactor.add(value);
    return value;
  });
}

/** Expands every string inside `value` (arrays and objects walked; keys untouched). */
export function expandDeep(value: unknown, ctx: SubstitutionContext): unknown {
  if (typeof value === 'string') return expandString(value, ctx);
  if (Array.isArray(value)) return value.map((item) => expandDeep(item, ctx));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = expandDeep(item, ctx);
    return out;
  }
  return value;
}

function onMissing(ref: string, ctx: SubstitutionContext): string {
  const policy = missingPolicy(ctx.env, ctx.logger);
  if (policy === 'error') throw new SubstitutionError(`substitution: ${ref} is not set`);
  if (policy === 'warn') ctx.logger.warn(`${ref} is not set; substituting empty string`);
  return '';
}

/** `$WB_ARTIFACTS_DIR/NAME.txt`, else `$WB_ARTIFACTS_DIR/NAME`, trailing whitespace trimmed. */
function readArtifact(name: string, ctx: SubstitutionContext): string | null {
  if (ctx.artifactCache.has(name)) return ctx.artifactCache.get(name) ?? null;
  let value: string | null = null;
  if (!ctx.artifactsDir) {
    ctx.logger.warn(`artifacts.${name}: $WB_ARTIFACTS_DIR is not set`);
  } else {
    for (const file of [`${name}.txt`, name]) {
      try {
        value = readFileSync(join(ctx.artifactsDir, file), 'utf8').trimEnd();
        break;
      } catch {
        // try the next candidate
      }
    }
  }
  ctx.artifactCache.set(name, value);
  return value;
}
