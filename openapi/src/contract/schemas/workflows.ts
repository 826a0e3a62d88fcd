/**
 * Workflow definitions and their immutable versions: the reference's v1 members (digest §7,
 * §13.5) and ours beside them (inline sources, the `wb` executor, execution limits, the pinned
 * snapshot).
 */
import { count, integer, jsonObject, text, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';
import { Labels } from './common.ts';

const NAME_PART = /^[A-Za-z0-9._/-]+$/;
const part = () =>
  text({ min: 1, max: 128, pattern: NAME_PART, hint: 'letters, digits and . _ / -' });

export const WorkflowIdParams = z.strictObject({ workflow_id: uuid() });
export const WorkflowVersionParams = z.strictObject({
  workflow_id: uuid(),
  version: text({ min: 1, max: 64, pattern: /^[A-Za-z0-9][A-Za-z0-9._+-]*$/, hint: 'a version' }),
});

export const CreateWorkflowRequest = named(
  'CreateWorkflowDefinitionRequest',
  z.strictObject({
    name: text({ min: 1, max: 200 }),
    description: text({ max: 4000 }).nullable().optional(),
    labels: Labels.optional(),
  }),
);

export const WorkflowDefinition = named(
  'WorkflowDefinition',
  z.object({
    id: uuid(),
    name: z.string(),
    description: z.string().nullable(),
    labels: z.record(z.string(), z.string()),
    latest_version: z.string().nullable().meta({
      description: 'The `version` string of the newest published version; null before the first.',
    }),
    versions_path: z.string().meta({ description: 'Ours: the versions collection.' }),
    created_at: timestamp(),
    updated_at: timestamp(),
  }),
);

export const WorkflowDefinitionList = named(
  'WorkflowDefinitionList',
  z.object({ workflows: z.array(WorkflowDefinition) }),
);

/** The reference's git source; `ref`, `resolved_commit` and `root_path` may be omitted here. */
export const GitSourceRequest = named(
  'WorkflowGitSourceRequest',
  z.strictObject({
    kind: z.literal('git'),
    repository_url: text({ min: 1, max: 2048 }).meta({
      description:
        "Where git fetches from. Protocols outside the edge's `WORKFLOW_GIT_PROTOCOLS` allow-list (default `https,ssh`), `ext::` and `file:` forms and credentials inside the URL are refused (`git_url_forbidden`): private repositories authenticate through the worker's own git configuration (SSH keys, credential helpers).",
    }),
    ref: text({ min: 1, max: 255 }).nullable().optional().meta({
      description: 'Branch, tag or any ref; null or absent: the remote HEAD.',
    }),
    resolved_commit: z
      .string()
      .regex(/^[0-9a-f]{40}$/, { error: 'must be a full 40-digit lowercase commit SHA' })
      .nullable()
      .optional()
      .meta({ description: 'Pin this commit instead of resolving `ref` (it must exist there).' }),
    root_path: text({ min: 1, max: 512 }).nullable().optional().meta({
      description: 'The sub-directory holding the workflow; null: the repository root.',
    }),
  }),
);

export const InlineSourceRequest = named(
  'WorkflowInlineSourceRequest',
  z.strictObject({
    kind: z.literal('inline'),
    files: z
      .record(text({ min: 1, max: 512 }), text({ max: 512 * 1024 }), {
        error: 'must be an object of file path → UTF-8 content',
      })
      .refine((files) => Object.keys(files).length >= 1 && Object.keys(files).length <= 64, {
        error: 'must hold between 1 and 64 files',
      })
      .meta({ description: 'Ours: the source itself, path → content (at most 64 files).' }),
  }),
);

/** What the reference's clients read back: only git sources (inline ones show as null here). */
export const GitSource = named(
  'WorkflowGitSource',
  z.object({
    kind: z.literal('git'),
    repository_url: z.string(),
    ref: z.string().nullable(),
    resolved_commit: z.string().nullable(),
    root_path: z.string().nullable(),
  }),
);

const ids = (uuids: boolean) =>
  z
    .array(uuids ? uuid() : text({ min: 1, max: 128 }))
    .max(64)
    .refine((list) => new Set(list).size === list.length, { error: 'must not repeat an id' });

/** The reference's workflow package manifest (closed, every member as the digest lists it). */
export const WorkflowPackage = named(
  'WorkflowPackageManifest',
  z.strictObject({
    package_id: part(),
    format_version: z.literal('browserpane.workflow-package/v1'),
    runtime: z.strictObject({
      language: z.literal('typescript'),
      browserpane_api_version: z.literal('v1'),
      node_major_version: z.literal(22),
      playwright_major_version: z.literal(1),
      playwright_minor_version: z.literal(59),
    }),
    requirements: z.strictObject({
      default_session: jsonObject(),
      allowed_credential_binding_ids: ids(true),
      allowed_extension_ids: ids(true),
      allowed_file_workspace_ids: ids(true),
    }),
    execution: z.strictObject({
      timeout_ms: integer(1000, 3_600_000),
      assertions: z.array(part()).min(1).max(32),
      safe_cancellation_points: z.array(part()).min(1).max(32),
      side_effect_checkpoints: z.array(part()).min(1).max(32),
    }),
    publication: z.strictObject({
      reviewer: text({ min: 1, max: 200 }),
      reviewed_at: timestamp(),
      decision: z.literal('approved'),
      fresh_context_replay: z.literal(true),
      scenarios: z
        .array(
          z.strictObject({
            kind: z.enum([
              'happy_path',
              'validation',
              'missing_element',
              'authentication_challenge',
              'portal_failure',
              'runtime_failure',
              'cancellation',
              'ambiguous_post_side_effect',
            ]),
            result: z.enum(['passed', 'not_applicable']),
          }),
        )
        .length(8, { error: 'must list exactly 8 scenarios' }),
    }),
  }),
);

export const EXECUTORS = ['playwright', 'wb'] as const;

/** Limits of a version's runs (ours). */
export const WorkflowExecution = named(
  'WorkflowExecution',
  z.strictObject({
    timeout_ms: integer(1000, 3_600_000).optional().meta({
      description: 'Wall-clock limit of one attempt (default 300000; the package one wins).',
    }),
    memory_mb: integer(64, 16_384).optional().meta({
      description: "The entrypoint process's memory cap (default: the worker's).",
    }),
    max_attempts: integer(1, 5).optional().meta({
      description:
        'Attempts when a worker dies mid-run (default 2): after the last one the run fails with reason `worker_lost`.',
    }),
  }),
);

export const CreateVersionRequest = named(
  'CreateWorkflowVersionRequest',
  z.strictObject({
    version: WorkflowVersionParams.shape.version,
    executor: text({ min: 1, max: 64 }).meta({
      description:
        '`playwright`: `entrypoint` is a module (`export default async ({ page, context, input, log, output, files, requestInput }) => …`). Ours: `wb`: `entrypoint` is a JSON file of `wb` verbs. Other values are stored but not runnable (`compatibility.state` `unsupported`).',
    }),
    entrypoint: text({ min: 1, max: 512 }),
    source: z
      .discriminatedUnion('kind', [GitSourceRequest, InlineSourceRequest], {
        error: 'must be a git source ({ kind: "git", repository_url, … }) or an inline one',
      })
      .nullable()
      .optional(),
    input_schema: z.unknown().optional().meta({
      description:
        'A JSON Schema (draft 2020-12) every run input must satisfy (`input_invalid` otherwise).',
    }),
    output_schema: z.unknown().optional(),
    package: WorkflowPackage.nullable().optional(),
    default_session: z.unknown().optional(),
    allowed_credential_binding_ids: ids(true).optional(),
    allowed_extension_ids: ids(true).optional(),
    allowed_file_workspace_ids: ids(false).optional(),
    execution: WorkflowExecution.optional(),
  }),
);

export const SnapshotState = z.enum(['resolving', 'ready', 'failed']);

export const WorkflowVersion = named(
  'WorkflowVersion',
  z.object({
    id: uuid(),
    workflow_definition_id: uuid(),
    version: z.string(),
    executor: z.string(),
    entrypoint: z.string(),
    source: GitSource.nullable(),
    input_schema: z.unknown(),
    output_schema: z.unknown(),
    package: WorkflowPackage.nullable(),
    compatibility: z.strictObject({
      state: z.enum(['supported', 'legacy', 'unsupported']),
      warnings: z.array(z.string()),
    }),
    default_session: z.unknown(),
    allowed_credential_binding_ids: z.array(uuid()),
    allowed_extension_ids: z.array(uuid()),
    allowed_file_workspace_ids: z.array(z.string()),
    execution: z
      .object({
        timeout_ms: z.int(),
        memory_mb: z.int().nullable(),
        max_attempts: z.int(),
      })
      .meta({ description: 'Ours: the limits its runs get.' }),
    snapshot: z
      .object({
        kind: z.enum(['git', 'inline']),
        state: SnapshotState,
        sha256: z.string().nullable(),
        bytes: count().nullable(),
        file_count: count().nullable(),
        error: z.string().nullable(),
      })
      .meta({
        description:
          'Ours: the pinned source as stored once in the artifact store (a gzipped tar); runs never fetch the repository again.',
      }),
    created_at: timestamp(),
  }),
);

export const WorkflowVersionList = named(
  'WorkflowVersionList',
  z.object({ versions: z.array(WorkflowVersion) }),
);

export type WorkflowDefinition = z.output<typeof WorkflowDefinition>;
export type WorkflowVersion = z.output<typeof WorkflowVersion>;
