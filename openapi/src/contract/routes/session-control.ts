/** Live control of a session: tickets, automation access, connections, MCP and automation owners. */
import { text, uuid, z } from '../fields.ts';
import { route } from '../route.ts';
import { SessionIdParams } from '../schemas/common.ts';
import { CONNECTION_ID } from '../schemas/hosts.ts';
import { Session } from '../schemas/session.ts';
import {
  AccessTokenRequest,
  AutomationOwnerRequest,
  McpOwnerRequest,
} from '../schemas/session-requests.ts';
import { SessionStatus } from '../schemas/session-status.ts';
import { AutomationAccess, ConnectTicket } from '../schemas/tickets.ts';
import { BEARER_ERRORS as auth } from './shared-errors.ts';

const tag = 'session control';
const SessionWithOk = Session.extend({
  ok: z.literal(true).meta({ description: "The reference's OkResponse member." }),
}).meta({ id: 'SessionOk' });

export const issueSessionAccessToken = route({
  operationId: 'issueSessionAccessToken',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/access-tokens',
  tag,
  summary: 'Mint a connect ticket',
  description:
    'Signs a connect ticket (default role `owner`; a bare POST is fine). `owner`, `viewer` and `recorder` tickets are for the session owner; `automation` tickets for its automation delegate or MCP owner. Minting an `owner` (or `automation`) ticket for a stopped, released or failed session restarts the same session resource, preferably on the host that has its browser profile (429 `session_quota_exceeded` when the owner already has `MAX_SESSIONS_PER_USER` sessions running or waiting).',
  auth: 'bearer',
  params: SessionIdParams,
  body: { schema: AccessTokenRequest, required: false },
  responses: { 200: { description: 'The ticket and where to connect.', schema: ConnectTicket } },
  errors: [
    'invalid_id',
    'validation_failed',
    'invalid_json',
    ...auth,
    'forbidden',
    'automation_owner_required',
    'session_not_found',
    'session_queued',
    'session_not_running',
    'session_stopped',
    'payload_too_large',
    'unsupported_media_type',
    'session_quota_exceeded',
  ],
});

export const issueSessionAutomationAccess = route({
  operationId: 'issueSessionAutomationAccess',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/automation-access',
  tag,
  summary: 'Mint automation access',
  description:
    "For the owner, the automation delegate and the MCP owner: the session's CDP endpoint (through its host's CDP gateway) and a token that also authenticates the status and MCP-owner routes as `x-bpane-automation-access-token`. Restarts a stopped or released session like an owner ticket.",
  auth: 'bearer_or_automation_token',
  params: SessionIdParams,
  responses: { 200: { description: 'The automation access.', schema: AutomationAccess } },
  errors: [
    'invalid_id',
    ...auth,
    'session_not_found',
    'session_queued',
    'session_not_running',
    'session_stopped',
    'session_quota_exceeded',
  ],
});

export const disconnectAllSessionConnections = route({
  operationId: 'disconnectAllSessionConnections',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/connections/disconnect-all',
  tag,
  summary: 'Drop every live connection',
  description:
    "Queues a `disconnect_all` command for the session's host (delivered in its heartbeat answers until acknowledged); the connections leave the snapshot at once. The runtime keeps running. A session without a runtime answers its status unchanged.",
  auth: 'bearer',
  params: SessionIdParams,
  responses: { 200: { description: 'The status after the disconnect.', schema: SessionStatus } },
  errors: ['invalid_id', ...auth, 'session_not_found'],
});

export const disconnectSessionConnection = route({
  operationId: 'disconnectSessionConnection',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/connections/{connection_id}/disconnect',
  tag,
  summary: 'Drop one live connection',
  description: "Queues a `disconnect` command for the session's host. The runtime keeps running.",
  auth: 'bearer',
  params: z.strictObject({
    session_id: uuid(),
    connection_id: text({
      min: 1,
      max: 128,
      pattern: CONNECTION_ID,
      hint: 'a connection id (letters, digits, . _ : -)',
    }).meta({
      description:
        "The integer `connection_id` of the status snapshot, or the host's `host_connection_id`.",
    }),
  }),
  responses: { 200: { description: 'The status after the disconnect.', schema: SessionStatus } },
  errors: ['invalid_id', ...auth, 'session_not_found', 'connection_not_found'],
});

export const setSessionMcpOwner = route({
  operationId: 'setSessionMcpOwner',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/mcp-owner',
  tag,
  summary: 'Claim MCP ownership',
  description:
    'The owner (for anyone) or the automation delegate (for itself) sets the MCP owner; the current MCP owner may claim again (e.g. to ask for a display size, taken while no person is connected). Defaults to the caller. Replacing an MCP owner cuts the live CDP attachments of the principal that lost its right to automation tickets.',
  auth: 'bearer_or_automation_token',
  params: SessionIdParams,
  body: { schema: McpOwnerRequest, required: false },
  responses: { 200: { description: 'The session (and `ok`).', schema: SessionWithOk } },
  errors: [
    'invalid_id',
    'validation_failed',
    'invalid_json',
    ...auth,
    'forbidden',
    'automation_owner_required',
    'session_not_found',
    'payload_too_large',
    'unsupported_media_type',
  ],
});

export const clearSessionMcpOwner = route({
  operationId: 'clearSessionMcpOwner',
  method: 'delete',
  path: '/api/v1/sessions/{session_id}/mcp-owner',
  tag,
  summary: 'Release MCP ownership',
  description:
    'The owner, the MCP owner or the automation delegate. The former MCP owner can no longer mint automation tickets (unless it is also the delegate), and its live CDP attachments are cut.',
  auth: 'bearer_or_automation_token',
  params: SessionIdParams,
  responses: { 200: { description: 'The session (and `ok`).', schema: SessionWithOk } },
  errors: ['invalid_id', ...auth, 'forbidden', 'session_not_found'],
});

export const setAutomationOwner = route({
  operationId: 'setAutomationOwner',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/automation-owner',
  tag,
  summary: 'Delegate automation to a principal',
  description:
    "Owner only. The delegate (e.g. the `mcp-bridge` service principal, by its OAuth `client_id`) may then read the session, mint automation access and claim MCP ownership. An owner may delegate to itself. Replacing a delegate cuts the former delegate's live CDP attachments.",
  auth: 'bearer',
  params: SessionIdParams,
  body: { schema: AutomationOwnerRequest, required: true },
  responses: { 200: { description: 'The session.', schema: Session } },
  errors: [
    'invalid_id',
    'validation_failed',
    'invalid_json',
    ...auth,
    'session_not_found',
    'payload_too_large',
    'unsupported_media_type',
  ],
});

export const clearAutomationOwner = route({
  operationId: 'clearAutomationOwner',
  method: 'delete',
  path: '/api/v1/sessions/{session_id}/automation-owner',
  tag,
  summary: 'Clear the automation delegate',
  description:
    "The owner or the delegate itself. The former delegate's live CDP attachments are cut (unless it is still the MCP owner).",
  auth: 'bearer',
  params: SessionIdParams,
  responses: { 200: { description: 'The session.', schema: Session } },
  errors: ['invalid_id', ...auth, 'forbidden', 'session_not_found'],
});
