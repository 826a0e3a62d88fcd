/** The Session resource: every member the reference's frozen v1 requires, then ours. */
import { timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';
import { PrincipalRef, Viewport } from './common.ts';
import { RecordingPolicy } from './recordings.ts';
import {
  CompatibilityMode,
  ConnectPoint,
  EffectiveEgress,
  EgressDiagnostics,
  NetworkIdentity,
  OwnerMode,
  ProjectAdmissionDecision,
  QueueBlock,
  SessionState,
  StatusSummary,
} from './session-parts.ts';

/**
 * Session capabilities. The reference's names (`browser_input`, `file_transfer`) and ours
 * (`input`, `files`) carry the same switch; the other five names are shared.
 */
export const Capabilities = named(
  'SessionCapabilities',
  z.object({
    browser_input: z.boolean(),
    clipboard: z.boolean(),
    audio: z.boolean(),
    microphone: z.boolean(),
    camera: z.boolean(),
    file_transfer: z.boolean(),
    resize: z.boolean(),
    input: z.boolean(),
    files: z.boolean(),
  }),
);

export const Session = named(
  'Session',
  z.object({
    id: uuid(),
    state: SessionState,
    project_id: uuid().nullable(),
    project: z
      .object({ id: uuid(), name: z.string(), state: z.enum(['active', 'archived']) })
      .nullable(),
    admission: ProjectAdmissionDecision,
    template_id: z.string().nullable(),
    browser_context: z.object({
      mode: z.enum(['fresh', 'ephemeral', 'reusable']),
      context_id: uuid().nullable(),
    }),
    network_identity: NetworkIdentity,
    effective_egress: EffectiveEgress,
    egress_diagnostics: EgressDiagnostics,
    owner_mode: OwnerMode,
    viewport: Viewport,
    capabilities: Capabilities,
    owner: z.object({
      subject: z.string(),
      issuer: z.string(),
      display_name: z.string().nullable(),
      principal_id: z.string().meta({ description: 'Ours: the same as `subject`.' }),
    }),
    automation_delegate: z
      .object({
        client_id: z.string(),
        issuer: z.string(),
        display_name: z.string().nullable(),
      })
      .nullable(),
    idle_timeout_sec: z.int().min(1).nullable(),
    labels: z.record(z.string(), z.string()),
    integration_context: z.record(z.string(), z.unknown()).nullable(),
    extensions: z.array(
      z.object({
        extension_id: uuid(),
        extension_version_id: uuid(),
        name: z.string(),
        version: z.string(),
      }),
    ),
    recording: RecordingPolicy,
    connect: ConnectPoint,
    runtime: z.object({
      binding: z.enum(['legacy_single_session', 'docker_runtime_pool']),
      compatibility_mode: CompatibilityMode,
      cdp_endpoint: z.string().meta({ format: 'uri' }).nullable(),
    }),
    status: StatusSummary,
    queue: QueueBlock.nullable(),
    created_at: timestamp(),
    updated_at: timestamp(),
    queued_at: timestamp().nullable(),
    runtime_released_at: timestamp().nullable(),
    stopped_at: timestamp().nullable(),
    // Ours.
    video_mode: z.enum(['roi', 'full', 'off']),
    region: z.string().nullable().meta({ description: 'The region hint given at creation.' }),
    host_id: uuid().nullable().meta({ description: 'The host it is placed on, if any.' }),
    automation_owner: PrincipalRef.nullable().meta({
      description: 'The automation delegate as a principal id (= `automation_delegate.client_id`).',
    }),
    mcp_owner: PrincipalRef.nullable().meta({
      description: 'The principal holding MCP ownership, if any.',
    }),
    stop_reason: z.string().nullable(),
    display_name: z.string().nullable().meta({
      description:
        'Ours: what its owner calls it (`display_name` at creation, or a rename); null until named.',
    }),
    page: z.object({ title: z.string(), host: z.string() }).nullable().meta({
      description:
        'Ours: the title and host name of the tab a person sees in it, as its host last reported them (kept after it stops); null before the first report.',
    }),
    access: z.enum(['owner', 'delegate', 'collaborator', 'viewer']).meta({
      description:
        "Ours: the caller's access — its owner, an automation delegate or MCP owner, or a person it is shared with as `collaborator` (drives) or `viewer` (watches).",
    }),
  }),
  'A persistent, owner-scoped browser session. Its runtime (the live browser on a host) comes and goes; the resource stays.',
);

export type Session = z.output<typeof Session>;

export const SessionList = named(
  'SessionList',
  z.object({
    sessions: z.array(Session),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: 'Ours: pass as `cursor` for the next page; null on the last.' }),
  }),
);
