/** Sharing a session with people: invitations by subject or e-mail, links, revoking. */
import { route } from '../route.ts';
import { SessionIdParams } from '../schemas/common.ts';
import {
  CreateShareRequest,
  RedeemedShare,
  RedeemShareRequest,
  Share,
  ShareIdParams,
  ShareList,
} from '../schemas/shares.ts';
import { BEARER_ERRORS as auth, BODY_ERRORS as body } from './shared-errors.ts';

const tag = 'sharing';

export const listSessionShares = route({
  operationId: 'listSessionShares',
  method: 'get',
  path: '/api/v1/sessions/{session_id}/shares',
  tag,
  summary: 'List who a session is shared with',
  description: 'Owner only. Invitations and links (never their secrets), oldest first.',
  auth: 'bearer',
  params: SessionIdParams,
  responses: { 200: { description: 'The shares.', schema: ShareList } },
  errors: ['invalid_id', ...auth, 'session_not_found'],
});

export const createSessionShare = route({
  operationId: 'createSessionShare',
  method: 'post',
  path: '/api/v1/sessions/{session_id}/shares',
  tag,
  summary: 'Share a session',
  description:
    "Owner only. Invites one person (by `subject` or `email`) or makes a link, as `viewer` or `collaborator`, optionally expiring. The person then sees the session in their list, reads it and its status, and mints `viewer` tickets (collaborators also `owner` tickets, which drive it); they never restart, stop or delete it. A link's secret is in this answer only.",
  auth: 'bearer',
  params: SessionIdParams,
  body: { schema: CreateShareRequest, required: true },
  responses: { 201: { description: 'The share.', schema: Share } },
  errors: ['invalid_id', ...body, ...auth, 'session_not_found'],
});

export const revokeSessionShare = route({
  operationId: 'revokeSessionShare',
  method: 'delete',
  path: '/api/v1/sessions/{session_id}/shares/{share_id}',
  tag,
  summary: 'Revoke a share',
  description:
    "Owner only. The share ends now: the session's grant generation grows, so tickets minted through shares before are refused and the host cuts its shared connections within one heartbeat (people still shared with reconnect with a new ticket); the people known to have used this share are disconnected at once.",
  auth: 'bearer',
  params: ShareIdParams,
  responses: { 200: { description: 'What is still shared.', schema: ShareList } },
  errors: ['invalid_id', ...auth, 'session_not_found', 'share_not_found'],
});

export const redeemShareLink = route({
  operationId: 'redeemShareLink',
  method: 'post',
  path: '/api/v1/share-links/redeem',
  tag,
  summary: 'Redeem a share link',
  description:
    'Any signed-in person: the link becomes theirs (its role on its session until it expires or is revoked). The secret travels in the body, never in a path or query.',
  auth: 'bearer',
  body: { schema: RedeemShareRequest, required: true },
  responses: { 200: { description: 'The session and role.', schema: RedeemedShare } },
  errors: [...body, ...auth, 'share_link_invalid'],
});
