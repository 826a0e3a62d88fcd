/**
 * Approved extensions: the reference's definition members (digest §12.A) and ours beside them
 * (`state`, the manifest facts, the archive's size and digest). One archive per extension: its
 * version is the manifest's, and the reference's `extension_version_id` is the extension's id.
 */
import { timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';

export const EXTENSION_STATES = ['pending_approval', 'approved', 'refused'] as const;

export const ExtensionState = named(
  'ExtensionState',
  z.enum(EXTENSION_STATES).meta({
    description:
      'An upload starts `pending_approval`; its owner approves it (`approved`: sessions and workflow versions may name it) or refuses it (`refused`, final).',
  }),
);

export const Extension = named(
  'Extension',
  z.object({
    id: uuid(),
    name: z.string().meta({ description: "The manifest's `name`." }),
    description: z.string().nullable().meta({ description: "The manifest's `description`." }),
    enabled: z.boolean().meta({ description: 'True exactly when `state` is `approved`.' }),
    latest_version: z.string().nullable().meta({ description: "The manifest's `version`." }),
    labels: z.record(z.string(), z.string()),
    state: ExtensionState.meta({ description: 'Ours.' }),
    version: z.string().meta({ description: "Ours: the manifest's `version`." }),
    manifest_version: z.literal(3).meta({ description: 'Ours.' }),
    size: z.int().min(0).meta({ description: "Ours: the archive's bytes." }),
    sha256: z.string().meta({ description: "Ours: the archive's SHA-256 (lowercase hex)." }),
    files: z.int().min(0).meta({ description: 'Ours: files in the unpacked extension.' }),
    approved_at: timestamp().nullable().meta({ description: 'Ours.' }),
    refused_at: timestamp().nullable().meta({ description: 'Ours.' }),
    created_at: timestamp(),
    updated_at: timestamp(),
  }),
);

export const ExtensionList = named('ExtensionList', z.object({ extensions: z.array(Extension) }));

export const ExtensionParams = z.strictObject({ extension_id: uuid() });

/** What a host is told to load into a session (`SessionOptions.extensions[]`). */
export const SessionExtension = named(
  'SessionExtension',
  z.object({
    extension_id: uuid(),
    name: z.string(),
    version: z.string(),
    size: z.int().min(0),
    sha256: z.string(),
  }),
);

export const HostSessionExtensionParams = z.strictObject({
  host_id: uuid(),
  session_id: uuid(),
  extension_id: uuid(),
});

export type Extension = z.output<typeof Extension>;
export type SessionExtension = z.output<typeof SessionExtension>;
