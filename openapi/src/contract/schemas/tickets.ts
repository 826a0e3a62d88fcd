/** Connect tickets and automation access. */
import { timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';
import { CompatibilityMode, ConnectPoint } from './session-parts.ts';

export const ConnectTicket = named(
  'ConnectTicket',
  z.object({
    session_id: uuid(),
    token_type: z.literal('session_connect_ticket'),
    token: z.string().meta({
      description:
        "An EdDSA JWT for the relay; short-lived, one use. Header `kid`; claims: `iss` (the edge's public URL), `aud` `browserpane-relay`, `sub` (principal id), `name`, `sid` (session id), `hid` (host id), `role`, `caps` (protocol capability names), `mode` (collaborative|exclusive), `gen` (the session's grant generation when it was minted: an automation ticket of an older generation than the host knows is refused), `iat`, `exp` (≤ iat + 60 s), `jti` (single use, remembered by the host until `exp`, across agent restarts).",
    }),
    expires_at: timestamp(),
    connect: ConnectPoint,
    // Ours.
    role: z.enum(['owner', 'viewer', 'automation', 'recorder']),
    capabilities: z.array(z.string()),
    host_id: uuid(),
    relay_url: z.string().meta({ description: 'The WebTransport URL of the relay.' }),
    cert_sha256: z
      .string()
      .nullable()
      .meta({ description: 'The relay certificate hash to pin; null: a CA certificate.' }),
    cdp_url: z.string().optional().meta({
      description:
        'Automation tickets: the CDP gateway endpoint with the ticket in its query, for `connectOverCDP` (a secret, like the ticket). Recorder tickets: the same endpoint, where the recording worker captures rrweb DOM events and may do nothing else.',
    }),
  }),
);

export type ConnectTicket = z.output<typeof ConnectTicket>;

export const AUTOMATION_TOKEN_HEADER = 'x-bpane-automation-access-token';

export const AutomationAccess = named(
  'AutomationAccess',
  z.object({
    session_id: uuid(),
    token_type: z.literal('session_automation_access_token'),
    token: z.string().meta({
      description: `An automation ticket (EdDSA JWT). Send it as \`${AUTOMATION_TOKEN_HEADER}\` to the routes that accept it until it expires; \`automation.endpoint_url\` carries it for the CDP gateway.`,
    }),
    expires_at: timestamp(),
    automation: z.object({
      endpoint_url: z.string().meta({ format: 'uri' }),
      protocol: z.literal('chrome_devtools_protocol'),
      auth_type: z.literal('session_automation_access_token'),
      auth_header: z.literal(AUTOMATION_TOKEN_HEADER),
      status_path: z.string(),
      mcp_owner_path: z.string(),
      compatibility_mode: CompatibilityMode,
    }),
    // Ours.
    host_id: uuid(),
    relay_url: z.string(),
    cert_sha256: z.string().nullable(),
  }),
  "Automation access to one session: the CDP endpoint (the host's CDP gateway) and a token.",
);

export type AutomationAccess = z.output<typeof AutomationAccess>;
