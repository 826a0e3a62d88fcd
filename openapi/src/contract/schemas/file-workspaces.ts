/**
 * File workspaces, their files, and session file bindings: the reference's v1 members (digest §5,
 * §10) and ours beside them (`run_id`, `materialized_path`).
 */
import { count, text, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';
import { Labels } from './common.ts';

/** Largest workspace file (the same ceiling as any file body the edge takes). */
export const WORKSPACE_FILE_MAX_BYTES = 512 * 1024 * 1024;

export const FileWorkspace = named(
  'FileWorkspace',
  z.object({
    id: uuid(),
    project_id: z.null(),
    project: z.null(),
    name: z.string(),
    description: z.string().nullable(),
    labels: z.record(z.string(), z.string()),
    files_path: z.string().meta({ description: 'Path of the files collection route.' }),
    created_at: timestamp(),
    updated_at: timestamp(),
  }),
);

export const FileWorkspaceList = named(
  'FileWorkspaceList',
  z.object({ workspaces: z.array(FileWorkspace) }),
);

export const CreateFileWorkspaceRequest = named(
  'CreateFileWorkspaceRequest',
  z.strictObject({
    name: text({ min: 1, max: 200 }),
    project_id: z.null({ error: 'must be null: projects are not available yet' }).optional(),
    description: text({ max: 2000 }).nullable().optional(),
    labels: Labels.optional(),
  }),
);

export const FileWorkspaceFile = named(
  'FileWorkspaceFile',
  z.object({
    id: uuid(),
    workspace_id: uuid(),
    name: z.string(),
    media_type: z.string().nullable(),
    byte_count: count(),
    sha256_hex: z.string().regex(/^[0-9a-f]{64}$/),
    provenance: z.unknown(),
    run_id: uuid()
      .nullable()
      .meta({ description: 'Ours: the workflow run that produced the file, if one did.' }),
    content_path: z.string().meta({ description: 'Path of the content route.' }),
    created_at: timestamp(),
    updated_at: timestamp(),
  }),
);

export const FileWorkspaceFileList = named(
  'FileWorkspaceFileList',
  z.object({ files: z.array(FileWorkspaceFile) }),
);

export const WorkspaceParams = z.strictObject({ workspace_id: uuid() });
export const WorkspaceFileParams = z.strictObject({ workspace_id: uuid(), file_id: uuid() });

export const FILE_BINDING_MODES = ['read_only', 'read_write', 'scratch_output'] as const;
export const FILE_BINDING_STATES = ['pending', 'materialized', 'failed', 'removed'] as const;

export const SessionFileBindingMode = named(
  'SessionFileBindingMode',
  z.enum(FILE_BINDING_MODES).meta({
    description:
      'The reference values. The file is placed as a copy in every mode (a page or a run changing it never changes the workspace file).',
  }),
);
export const SessionFileBindingState = named(
  'SessionFileBindingState',
  z.enum(FILE_BINDING_STATES).meta({
    description:
      "`pending`: recorded, not yet placed; `materialized`: the session's host placed the file at `mount_path` in the session's files; `failed`: it could not (`error`); `removed`: deleted.",
  }),
);

/**
 * A mount path: relative, `/`-separated plain segments (no `..`, `.`, empty segment, backslash or
 * control character), at most 512 bytes.
 */
export const MountPath = text({ min: 1, max: 512 })
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p), { error: 'must be a relative path' })
  .refine(
    (p) =>
      !/[\\\u0000-\u001f\u007f]/.test(p) &&
      p.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && s.trim() !== ''),
    { error: 'must be plain path segments (no `..`, `.`, empty segments or backslashes)' },
  )
  .meta({
    description:
      "Relative to the session's files (`report.pdf`, `inputs/report.pdf`): no leading `/`, no `..` or `.` segments; unique among the session's active bindings.",
  });

export const CreateSessionFileBindingRequest = named(
  'CreateSessionFileBindingRequest',
  z.strictObject({
    workspace_id: uuid(),
    file_id: uuid(),
    mount_path: MountPath,
    mode: SessionFileBindingMode.optional().meta({ description: 'Default `read_only`.' }),
    labels: Labels.optional(),
  }),
);

export const SessionFileBinding = named(
  'SessionFileBinding',
  z.object({
    id: uuid(),
    session_id: uuid(),
    workspace_id: uuid(),
    file_id: uuid(),
    file_name: z.string(),
    media_type: z.string().nullable(),
    byte_count: count(),
    sha256_hex: z.string(),
    provenance: z.unknown(),
    mount_path: z.string(),
    mode: SessionFileBindingMode,
    state: SessionFileBindingState,
    error: z.string().nullable(),
    labels: z.record(z.string(), z.string()),
    content_path: z.string(),
    created_at: timestamp(),
    updated_at: timestamp(),
  }),
);

export const SessionFileBindingList = named(
  'SessionFileBindingList',
  z.object({ bindings: z.array(SessionFileBinding) }),
);

export const FileBindingParams = z.strictObject({ session_id: uuid(), binding_id: uuid() });

export const HostFileBindingParams = z.strictObject({
  host_id: uuid(),
  session_id: uuid(),
  binding_id: uuid(),
});

export const HostFileBindingReport = named(
  'HostFileBindingReport',
  z.strictObject({
    state: z.enum(['materialized', 'failed']),
    error: text({ max: 500 }).nullable().optional(),
  }),
);

/** A binding as a host's desired state lists it (what to place where). */
export const DesiredFileBinding = named(
  'DesiredFileBinding',
  z.object({
    binding_id: uuid(),
    mount_path: z.string(),
    byte_count: count(),
    sha256_hex: z.string(),
    state: SessionFileBindingState,
  }),
);
