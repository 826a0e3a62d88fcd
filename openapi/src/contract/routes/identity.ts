/** Who the caller is. */
import { route } from '../route.ts';
import { Identity, Me } from '../schemas/identity.ts';

export const getCurrentIdentity = route({
  operationId: 'getCurrentIdentity',
  method: 'get',
  path: '/api/v1/identity/me',
  tag: 'identity',
  summary: 'The calling principal',
  description: 'Service principals (client-credentials tokens) report their OAuth `client_id`.',
  auth: 'bearer',
  responses: { 200: { description: 'The principal the bearer token names.', schema: Identity } },
  errors: ['unauthorized', 'invalid_token'],
});

export const getMe = route({
  operationId: 'getMe',
  method: 'get',
  path: '/api/v1/me',
  tag: 'identity',
  summary: 'The calling principal (our shape)',
  auth: 'bearer',
  responses: { 200: { description: 'The principal the bearer token names.', schema: Me } },
  errors: ['unauthorized', 'invalid_token'],
});
