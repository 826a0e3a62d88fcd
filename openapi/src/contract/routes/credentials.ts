/**
 * Credential bindings (owner-scoped), the workflow worker's resolution of a granted binding, and
 * the operator's re-wrap after a key-encryption key rotation.
 */
import { z } from '../fields.ts';
import { route } from '../route.ts';
import {
  CreateCredentialBindingRequest,
  CredentialBinding,
  CredentialBindingList,
  CredentialBindingParams,
  ResolveCredentialRequest,
  ResolvedCredential,
  RewrapResult,
  RunCredentialParams,
} from '../schemas/credentials.ts';
import { BEARER_ERRORS as auth, BODY_ERRORS as body } from './shared-errors.ts';

const tag = 'credential bindings';

export const createCredentialBinding = route({
  operationId: 'createCredentialBinding',
  method: 'post',
  path: '/api/v1/credential-bindings',
  tag,
  summary: 'Store a secret for workflow runs',
  description:
    "Keeps `secret_payload` in the binding's store and answers the binding's metadata; the secret is never returned by any route. `provider` `vault_kv_v2` (the reference's) or none: the edge's store, which is Vault / OpenBao KV v2 when the edge has `VAULT_ADDR` (the database keeps only metadata; `secret_store: vault`) and otherwise the edge's own encrypted store (`secret_store: local`: AES-256-GCM under a data key of its own, the data key wrapped by the edge's `CREDENTIALS_KEK`, both bound to the binding's id and owner); `provider: local` (ours) picks the edge's own store even with Vault. `external_ref` is refused (`credential_provider_unsupported`). With Vault, Vault unreachable is `credential_store_unavailable`, a refused token `credential_store_forbidden`, and nothing is stored. A name the owner already uses is `credential_binding_exists`; an edge without a usable `CREDENTIALS_KEK` answers `credential_key_unavailable`.",
  auth: 'bearer',
  body: { schema: CreateCredentialBindingRequest, required: true },
  responses: { 201: { description: 'The binding (no secret).', schema: CredentialBinding } },
  errors: [
    ...auth,
    ...body,
    'credential_binding_exists',
    'credential_provider_unsupported',
    'credential_key_unavailable',
    'credential_store_unavailable',
    'credential_store_forbidden',
  ],
});

export const listCredentialBindings = route({
  operationId: 'listCredentialBindings',
  method: 'get',
  path: '/api/v1/credential-bindings',
  tag,
  summary: "The caller's credential bindings",
  description: 'Newest first; metadata only.',
  auth: 'bearer',
  query: z.strictObject({}),
  responses: { 200: { description: 'The bindings.', schema: CredentialBindingList } },
  errors: [...auth, 'validation_failed'],
});

export const getCredentialBinding = route({
  operationId: 'getCredentialBinding',
  method: 'get',
  path: '/api/v1/credential-bindings/{binding_id}',
  tag,
  summary: 'A credential binding (metadata only)',
  auth: 'bearer',
  params: CredentialBindingParams,
  responses: { 200: { description: 'The binding.', schema: CredentialBinding } },
  errors: ['invalid_id', ...auth, 'credential_binding_not_found'],
});

export const deleteCredentialBinding = route({
  operationId: 'deleteCredentialBinding',
  method: 'delete',
  path: '/api/v1/credential-bindings/{binding_id}',
  tag,
  summary: 'Delete a credential binding and its secret',
  description:
    'Ours (the reference has no delete). The secret goes with it (a binding whose `secret_store` is `vault` has every version and metadata are deleted from Vault first: when Vault cannot be reached or refuses, the binding stays and the answer is `credential_store_*`); runs it was granted to can no longer resolve it.',
  auth: 'bearer',
  params: CredentialBindingParams,
  responses: { 200: { description: 'The deleted binding.', schema: CredentialBinding } },
  errors: [
    'invalid_id',
    ...auth,
    'credential_binding_not_found',
    'credential_store_unavailable',
    'credential_store_forbidden',
  ],
});

export const resolveWorkflowRunCredential = route({
  operationId: 'resolveWorkflowRunCredential',
  method: 'post',
  path: '/api/v1/workflow-runs/{run_id}/credential-bindings/{binding_id}/resolve',
  tag: 'workflow worker',
  summary: "The secret of a binding granted to a run (the run's worker only)",
  description:
    "Only a workflow worker (`workflow_worker_required` for anyone else, the run's owner included), only for a run that is `starting` or `running` under this `attempt` and `worker_id` with a live lease, the caller showing that attempt's `lease_token` in `x-bpane-run-lease` (`stale_attempt`, `run_state_conflict` otherwise), and only for a binding granted to that run (`credential_binding_not_found` otherwise). Answered `no-store`. The worker redacts the secret from everything the run reports.",
  auth: 'bearer',
  params: RunCredentialParams,
  body: { schema: ResolveCredentialRequest, required: true },
  responses: {
    200: {
      description: 'The binding and its secret.',
      schema: ResolvedCredential,
      headers: { 'cache-control': 'no-store' },
    },
  },
  errors: [
    'invalid_id',
    ...auth,
    ...body,
    'workflow_worker_required',
    'workflow_run_not_found',
    'credential_binding_not_found',
    'run_state_conflict',
    'stale_attempt',
    'credential_key_unavailable',
    'credential_key_mismatch',
    'credential_store_unavailable',
    'credential_store_forbidden',
    'credential_secret_missing',
  ],
});

export const rewrapCredentials = route({
  operationId: 'rewrapCredentials',
  method: 'post',
  path: '/api/v1/maintenance/rewrap-credentials',
  tag: 'hosts',
  summary: 'Re-wrap stored keys under the current CREDENTIALS_KEK (operators)',
  description:
    "The second step of a key-encryption key rotation: with the new key in `CREDENTIALS_KEK` and the old one in `CREDENTIALS_KEK_PREVIOUS`, re-wraps every credential binding's data key and every session profile key still wrapped by an old key (the encrypted secrets themselves stay as they are). Idempotent; afterwards `CREDENTIALS_KEK_PREVIOUS` can be removed. Rows no configured key opens are listed in `failed` and left untouched.",
  auth: 'operator',
  query: z.strictObject({}),
  responses: { 200: { description: 'What was re-wrapped.', schema: RewrapResult } },
  errors: ['validation_failed', 'unauthorized', 'credential_key_unavailable'],
});
