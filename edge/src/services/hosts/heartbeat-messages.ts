/** The heartbeat's bodies (declared in `@browserpane/api/contract`): the report and the answer. */
import type { DesiredState, HeartbeatRequest } from '@browserpane/api/contract';
import type { z } from 'zod';

export type { DesiredState };
export type HeartbeatInput = z.output<typeof HeartbeatRequest>;
export type RuntimeReport = HeartbeatInput['runtimes'][number];
export type ConnectionReport = HeartbeatInput['connections'][number];
export type Desired = DesiredState['sessions'][number]['desired'];
