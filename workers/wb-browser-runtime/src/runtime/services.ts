// Everything a slice needs from the running process.

import type { RuntimeConfig } from '../config.ts';
import type { Logger } from '../protocol/log.ts';
import type { Output } from '../protocol/output.ts';
import type { SessionManager } from '../session/manager.ts';
import type { HostDownloads } from '../session/vendors/host-downloads.ts';
import type { Redactor } from '../substitution/redactor.ts';
import type { Env } from '../util/env.ts';

export interface Services {
  config: RuntimeConfig;
  env: Env;
  logger: Logger;
  redactor: Redactor;
  output: Output;
  sessions: SessionManager;
  /** Downloads the starter fetches (`WB_BROWSER_CDP_DOWNLOADS=host`), else absent. */
  hostDownloads?: HostDownloads;
}
