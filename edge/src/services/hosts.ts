/**
 * @module
 * Hosts: enrolment and credentials (`hosts/enrollment`), the heartbeat (`hosts/heartbeat`: reports
 * applied through `hosts/apply-reports` and `hosts/reconcile`, answered by `hosts/desired-state`)
 * and the API view of a host (`hosts/host-resource`).
 */

export { authenticateHost, type EnrollInput, enrollHost } from './hosts/enrollment.ts';
export { heartbeat } from './hosts/heartbeat.ts';
export type {
  ConnectionReport,
  Desired,
  DesiredState,
  HeartbeatInput,
  RuntimeReport,
} from './hosts/heartbeat-messages.ts';
export { hostResource } from './hosts/host-resource.ts';
