/**
 * Request bodies of the session routes. Each accepts every member the reference's clients send
 * (closed objects, as in the frozen v1) and our own members beside them.
 */
import { integer, jsonObject, queryInteger, text, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';
import { Labels, labelKey, REGION, ViewportRequest } from './common.ts';
import { RecordingPolicyRequest } from './recordings.ts';
import { NetworkIdentity, RUNTIME_STATES, SESSION_STATES } from './session-parts.ts';

const CAPABILITY_NAMES = [
  'browser_input',
  'input',
  'clipboard',
  'audio',
  'microphone',
  'camera',
  'file_transfer',
  'files',
  'resize',
] as const;

export const CapabilitiesRequest = named(
  'SessionCapabilitiesRequest',
  z.strictObject(
    Object.fromEntries(CAPABILITY_NAMES.map((n) => [n, z.boolean().optional()])) as Record<
      (typeof CAPABILITY_NAMES)[number],
      z.ZodOptional<z.ZodBoolean>
    >,
  ),
  'Switches to change from the defaults (everything on but the camera). `browser_input` and `input` name the same switch, as do `file_transfer` and `files`.',
);

const DISPLAY_NAME = () => text({ min: 1, max: 200 });

export const CreateSessionRequest = named(
  'CreateSessionRequest',
  z.strictObject({
    viewport: ViewportRequest.optional(),
    idle_timeout_sec: integer(1, 604_800).nullable().optional(),
    capabilities: CapabilitiesRequest.optional(),
    owner_mode: z
      .enum(['collaborative', 'exclusive_browser_owner', 'exclusive'], {
        error: 'must be one of "collaborative", "exclusive_browser_owner"',
      })
      .optional()
      .meta({ description: '`exclusive` is our older name of `exclusive_browser_owner`.' }),
    labels: Labels.optional(),
    integration_context: jsonObject().nullable().optional(),
    display_name: DISPLAY_NAME().optional().meta({
      description:
        "What the owner calls the session (the reference's MCP bridge sends it too); rename with PATCH.",
    }),
    project_id: z
      .null({ error: 'must be null: projects are not available yet' })
      .optional()
      .meta({ description: 'Only owner-scoped sessions exist: null or absent.' }),
    template_id: z
      .null({ error: 'must be null: session templates are not available yet' })
      .optional(),
    browser_context: z
      .strictObject({
        mode: z.enum(['fresh', 'ephemeral'], {
          error: 'must be "fresh" or "ephemeral": reusable browser contexts are not available yet',
        }),
        context_id: z.null().optional(),
      })
      .optional(),
    network_identity: NetworkIdentity.refine(
      (n) => Object.values(n).every((v) => v === null || (Array.isArray(v) && v.length === 0)),
      { error: 'must leave every member null: network identities are not configurable yet' },
    ).optional(),
    extension_ids: z
      .array(uuid())
      .max(16, { error: 'must have at most 16 items' })
      .refine((ids) => new Set(ids).size === ids.length, { error: 'must not repeat an id' })
      .optional()
      .meta({
        description:
          "Approved extensions of the caller to load into the session's browser (`extension_not_found` for an unknown or another owner's id, `extension_not_approved` for one not approved). A session with extensions never takes a pre-started (warm) browser.",
      }),
    recording: RecordingPolicyRequest.optional(),
    video_mode: z.enum(['roi', 'full', 'off']).optional().meta({
      description:
        'Ours: how moving content is streamed: `roi` regions, `full` screen H.264, or `off` (tiles only).',
    }),
    region: REGION().optional().meta({ description: 'Ours: a region hint for placement.' }),
  }),
);

export const ListSessionsQuery = z.strictObject({
  limit: queryInteger(1, 200).optional().meta({ description: 'At most this many (default 50).' }),
  offset: queryInteger(0, 1_000_000).optional(),
  cursor: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
      error: 'must be a next_cursor value',
    })
    .optional()
    .meta({ description: 'Ours: `next_cursor` of the previous page.' }),
  state: z
    .string()
    .refine(
      (s) =>
        s
          .split(',')
          .every((v) => (SESSION_STATES as readonly string[]).includes(v) || v === 'runtime_lost'),
      { error: `must be a comma-separated list of ${SESSION_STATES.join(', ')}` },
    )
    .optional()
    .meta({ description: 'Comma-separated lifecycle states.' }),
  runtime_state: z
    .string()
    .refine((s) => s.split(',').every((v) => (RUNTIME_STATES as readonly string[]).includes(v)), {
      error: `must be a comma-separated list of ${RUNTIME_STATES.join(', ')}`,
    })
    .optional()
    .meta({ description: 'Comma-separated derived runtime states.' }),
  template_id: z
    .string()
    .max(128)
    .optional()
    .meta({ description: 'No templates yet: a template filter matches no session.' }),
  q: text({ min: 1, max: 100 }).optional().meta({
    description:
      "Ours: only sessions whose `display_name`, page title or host, label `name`, id or owner's name contains this text (case-insensitive).",
  }),
});

export const LABEL_FILTER_KEY = labelKey;

export const UpdateSessionRequest = named(
  'UpdateSessionRequest',
  z.strictObject({
    display_name: DISPLAY_NAME()
      .refine((s) => s.trim().length > 0, { error: 'must not be blank' })
      .nullable()
      .meta({ description: 'The new name; null forgets it (the page title shows again).' }),
  }),
  'Ours: what an owner may change on a session.',
);

export const DeleteSessionQuery = z.strictObject({
  purge: z.enum(['true', 'false'], { error: 'must be "true" or "false"' }).optional().meta({
    description:
      'Ours: `true` removes an ended session (`stopped`, `failed`, `released`) with its files, saved profile, recordings and shares instead of stopping it; a session that is not ended answers 409 `session_not_ended`, one a workflow run used 409 `session_has_runs`, one whose recording is still being saved 409 `recording_already_active`.',
  }),
});

export const AccessTokenRequest = named(
  'AccessTokenRequest',
  z.strictObject({
    role: z
      .enum(['owner', 'viewer', 'automation', 'recorder'])
      .optional()
      .meta({ description: 'Ours; default `owner`.' }),
  }),
);

export const AutomationOwnerRequest = named(
  'AutomationOwnerRequest',
  z
    .strictObject({
      client_id: text({ min: 1, max: 255 }).optional(),
      issuer: text({ min: 1, max: 2048 }).nullable().optional(),
      display_name: DISPLAY_NAME().nullable().optional(),
      principal_id: text({ min: 1, max: 255 })
        .optional()
        .meta({ description: 'Ours: the same as `client_id`.' }),
    })
    .refine((b) => b.client_id !== undefined || b.principal_id !== undefined, {
      error: 'needs client_id (or principal_id)',
      path: ['client_id'],
    })
    .refine(
      (b) =>
        b.client_id === undefined || b.principal_id === undefined || b.client_id === b.principal_id,
      { error: 'must equal principal_id when both are given', path: ['client_id'] },
    ),
  'The automation principal to delegate to, by OAuth `client_id` (the `sub` of its tokens).',
);

export const McpOwnerRequest = named(
  'McpOwnerRequest',
  z
    .strictObject({
      width: integer(320, 7680).optional(),
      height: integer(200, 4320).optional(),
      principal_id: text({ min: 1, max: 255 })
        .optional()
        .meta({ description: 'Ours: who holds it (default: the caller).' }),
      display_name: DISPLAY_NAME().optional(),
      viewport: ViewportRequest.optional().meta({
        description: 'Ours: the same as `width` and `height`.',
      }),
    })
    .refine((b) => (b.width === undefined) === (b.height === undefined), {
      error: 'needs both width and height',
      path: ['width'],
    }),
  'The MCP side asks for a display size; it is taken while no person is connected.',
);
