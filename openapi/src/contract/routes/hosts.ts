/** The host contract and operator routes. */
import { uuid, z } from '../fields.ts';
import { route } from '../route.ts';
import {
  DesiredState,
  EnrollRequest,
  EnrollResponse,
  HeartbeatRequest,
  HostList,
  SweepResult,
} from '../schemas/hosts.ts';
import { BODY_ERRORS as body } from './shared-errors.ts';

const tag = 'hosts';

/** Heartbeats carry every runtime and connection of a host: up to 1 MiB. */
export const HEARTBEAT_BODY_LIMIT = 1024 * 1024;

export const listHosts = route({
  operationId: 'listHosts',
  method: 'get',
  path: '/api/v1/hosts',
  tag,
  summary: 'List hosts (operators)',
  auth: 'operator',
  query: z.strictObject({}),
  responses: { 200: { description: 'Every enrolled host.', schema: HostList } },
  errors: ['validation_failed', 'unauthorized'],
});

export const enrollHost = route({
  operationId: 'enrollHost',
  method: 'post',
  path: '/api/v1/hosts/enroll',
  tag,
  summary: 'Enrol a host agent',
  description:
    "Registers a host (or re-registers one with the same `name`: same `host_id`, fresh credential, its sessions kept). `host_credential` is shown once; the edge stores only its hash. A name is bound to its credential: re-enrolling a host that is not lost needs its current `host_credential` in the body (409 `host_name_taken` otherwise); a lost host's name may be re-claimed without it.",
  auth: 'host_enrollment',
  body: { schema: EnrollRequest, required: true },
  responses: {
    201: { description: "The host's identity and credential.", schema: EnrollResponse },
  },
  errors: [...body, 'unauthorized', 'host_name_taken'],
});

export const hostHeartbeat = route({
  operationId: 'hostHeartbeat',
  method: 'post',
  path: '/api/v1/hosts/{host_id}/heartbeat',
  tag,
  summary: 'Report state, receive desired state',
  description:
    "Runtimes drive session state; the connection list replaces the host's previous one; commands repeat until acknowledged. A host that misses heartbeats for `lost_after_ms` is marked lost by the sweep and its sessions wait to be placed again (`queue.reason` `runtime_lost`).",
  auth: 'host_credential',
  params: z.strictObject({ host_id: uuid() }),
  body: { schema: HeartbeatRequest, required: true, limit: HEARTBEAT_BODY_LIMIT },
  responses: { 200: { description: "The host's desired state.", schema: DesiredState } },
  errors: [...body, 'invalid_id', 'host_unauthorized'],
});

export const runSweep = route({
  operationId: 'runSweep',
  method: 'post',
  path: '/api/v1/maintenance/sweep',
  tag,
  summary: 'Run the periodic sweep now (operators)',
  description:
    "Runs the same sweep as the Worker's cron trigger: marks hosts that missed heartbeats lost (their sessions wait to be placed again), stops sessions idle past their timeout, places queued sessions, retries or fails workflow runs whose worker went silent (and ends paused runs whose hold ran out), admits queued runs, and drops old acknowledged commands and events. For deployments without cron triggers (plain workerd), where a scheduler calls it about once a minute. Takes no body; safe to call at any time and concurrently.",
  auth: 'operator',
  query: z.strictObject({}),
  responses: { 200: { description: 'What this sweep did.', schema: SweepResult } },
  errors: ['validation_failed', 'unauthorized'],
});
