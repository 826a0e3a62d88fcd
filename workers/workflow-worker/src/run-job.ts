/**
 * The `workflow_run` job: take the run (a lease fenced by its attempt), keep the lease while it
 * runs (noticing cancels, answers and the deadline), materialize the pinned snapshot, get a CDP
 * gateway ticket for the run's session, run the entrypoint in its own process, then upload what it
 * produced and report how it ended. A worker that dies leaves a lease that runs out; the edge then
 * retries or fails the run.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { ApiError, type ClaimedWorkflowRun, type WorkflowRun } from '@browserpane/api';
import type { WorkerConfig } from './config.ts';
import { CredentialBroker } from './credentials/broker.ts';
import { Redactor } from './credentials/redactor.ts';
import type { Api } from './edge.ts';
import type { PlaywrightExecutor } from './executors/playwright.ts';
import {
  type CredentialCall,
  type Execution,
  type ExecutionResult,
  type InputRequest,
  Released,
} from './executors/types.ts';
import { startWb } from './executors/wb.ts';
import { LogQueue } from './log-queue.ts';
import { Phases } from './phases.ts';
import { leaseHeaders, sessionDownloads } from './session-downloads.ts';
import { materialize } from './source/snapshots.ts';
import { workspaceInputFiles } from './workspace-input-files.ts';
import { inputsForEntrypoint, waitForWorkspaceInputs } from './workspace-inputs.ts';

const TERMINAL = ['succeeded', 'failed', 'cancelled', 'timed_out'];
const SESSION_WAIT_MS = 120_000;
const ATTACH_WAIT_MS = 60_000;

const TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.html': 'text/html',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.zip': 'application/zip',
};

export interface RunDeps {
  api: Api;
  config: WorkerConfig;
  playwright: PlaywrightExecutor;
  log: (line: string) => void;
  /** Executions in flight (the worker kills them on shutdown). */
  active: Set<{ runId: string; attempt: number; stop(reason: string): void }>;
}

function code(error: unknown): string | null {
  return error instanceof ApiError ? error.code : null;
}

function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (s.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

export async function runJob(deps: RunDeps, runId: string): Promise<void> {
  const { api, config } = deps;
  const params = { run_id: runId };
  let claimed: ClaimedWorkflowRun;
  const phases = new Phases();
  // Until the entrypoint's code begins, warm-ups of other entrypoint processes wait.
  const started = deps.playwright.runStarting();
  try {
    claimed = await api.claimWorkflowRun({ params, body: { worker_id: config.workerId } });
  } catch (error) {
    started();
    // Not pending (ended, answered by another job, cancelled): nothing to do.
    if (code(error) === 'run_state_conflict' || code(error) === 'workflow_run_not_found') return;
    throw error;
  }
  phases.mark('claim');
  const attempt = claimed.attempt;
  const version = claimed.version;
  let run: WorkflowRun = claimed.run;
  // Every secret the run resolves is registered here before anyone sees it; everything the run
  // reports (logs, states with their errors, outputs and data) goes through it.
  const redactor = new Redactor();
  const logs = new LogQueue(api, runId, (text) => redactor.redact(text));
  const system = (message: string) => logs.push('system', message);
  let deadline = run.execution_deadline_at
    ? Date.parse(run.execution_deadline_at)
    : Number.POSITIVE_INFINITY;
  let stopped: 'ended' | 'stale' | 'cancelled' | null = null;
  let execution: Execution | null = null;
  let waiter: { requestId: string; resolve(v: unknown): void; reject(e: Error): void } | null =
    null;
  const stop = (why: 'ended' | 'stale' | 'cancelled', reason: string) => {
    stopped ??= why;
    execution?.kill(reason);
    waiter?.reject(new Error(reason));
    waiter = null;
  };
  const handle = { runId, attempt, stop: (reason: string) => execution?.kill(reason) };
  deps.active.add(handle);

  const beat = async () => {
    try {
      const lease = await api.heartbeatWorkflowRun({ params, body: { attempt } });
      run = lease.run;
      if (run.execution_deadline_at) deadline = Date.parse(run.execution_deadline_at);
      if (TERMINAL.includes(run.state)) stop('ended', 'ended');
      else if (lease.cancel_requested) stop('cancelled', 'cancelled');
      else if (
        waiter &&
        run.state === 'running' &&
        run.intervention.last_resolution?.request_id === waiter.requestId
      ) {
        const w = waiter;
        waiter = null;
        system(`answered (${run.intervention.last_resolution.action}); going on`);
        w.resolve(run.intervention.last_resolution.input ?? null);
      } else if (!waiter && run.state === 'running' && Date.now() > deadline)
        execution?.kill('timeout');
    } catch (error) {
      if (code(error) === 'stale_attempt' || code(error) === 'workflow_run_not_found')
        stop('stale', 'stale');
      // Otherwise the edge is unreachable for a moment: the next beat tries again.
    }
  };
  const timer = setInterval(() => void beat(), config.heartbeatMs);
  const report = (body: Parameters<Api['transitionWorkflowRunState']>[0]['body']) =>
    api.transitionWorkflowRunState({ params, body: redactor.redactDeep({ ...body, attempt }) });
  const credentials = new CredentialBroker({
    api,
    runId,
    attempt,
    workerId: config.workerId,
    lease: claimed.lease_token,
    bindings: run.credential_bindings,
    redactor,
    cdpUrl: () =>
      automationAccess(api, runId, attempt, claimed.lease_token, () => stopped !== null),
  });

  let filesDir: string | null = null;
  let downloadsDir: string | null = null;
  try {
    system(`attempt ${attempt} on ${config.workerId}: ${version.executor} ${version.entrypoint}`);
    const sourceDir = await materialize(api, config.dataDir, runId, version.snapshot_sha256).catch(
      (e: Error) => {
        throw Object.assign(new Error(`the source snapshot is not available: ${e.message}`), {
          reason: 'source_unavailable',
        });
      },
    );
    phases.mark('materialize');
    filesDir = join(config.dataDir, 'runs', `${runId}-${attempt}`);
    downloadsDir = `${filesDir}.downloads`;
    rmSync(downloadsDir, { recursive: true, force: true });
    rmSync(filesDir, { recursive: true, force: true });
    mkdirSync(filesDir, { recursive: true });
    // The claim brings the ticket when the session's browser is up; else ask (and wait for it).
    let cdpUrl =
      claimed.automation?.automation.endpoint_url ??
      (await automationAccess(api, runId, attempt, claimed.lease_token, () => stopped !== null));
    phases.mark('automation_access');
    if (stopped) return;
    if (run.workspace_inputs.length > 0) {
      run = await waitForWorkspaceInputs(api, run, attempt, () => stopped !== null);
      system(
        `workspace inputs placed: ${run.workspace_inputs.map((w) => w.mount_path).join(', ')}`,
      );
      phases.mark('workspace_inputs');
      if (stopped) return;
    }
    // Reported while the entrypoint process attaches and loads; its code starts once it is.
    const running = report({
      state: 'running',
      message: `${version.executor} entrypoint ${version.entrypoint}`,
    }).then(() => {});
    running.catch(() => {});
    const start = {
      runId,
      get cdpUrl() {
        return cdpUrl;
      },
      sourceDir,
      entrypoint: version.entrypoint,
      input: run.input,
      workspaceInputs: inputsForEntrypoint(run),
      answers: claimed.resolutions.map((r) => ({ action: r.action, input: r.input })),
      resumeFrom: claimed.resume_from,
      filesDir,
      memoryMb: version.memory_mb ?? config.memoryMb,
      running,
      began: started,
      remainingMs: Math.max(1000, deadline - Date.now()),
      log: (stream: 'stdout' | 'stderr' | 'system', message: string) => logs.push(stream, message),
      fetchDownload: sessionDownloads(api, run.session_id, claimed.lease_token, downloadsDir),
      workspaceInput: workspaceInputFiles(api, run, claimed.lease_token, `${filesDir}.inputs`),
      credential: (call: CredentialCall) => credentials.handle(call),
      requestInput: async (request: InputRequest, resumeFrom?: Record<string, unknown>) => {
        const requestId = randomUUID();
        const hold = request.hold === 'profile_restart' ? 'profile_restart' : 'live_runtime';
        await running;
        await logs.flush();
        await report({
          state: 'awaiting_input',
          message: request.prompt ?? 'input requested',
          data: {
            intervention_request: {
              request_id: requestId,
              kind: request.kind ?? 'generic_input',
              prompt: request.prompt ?? null,
              details: request.details ?? null,
              input_schema: request.schema ?? null,
            },
            runtime_hold: { mode: hold, timeout_sec: request.timeout_sec ?? config.holdTimeoutSec },
            ...(resumeFrom ? { resume_from: resumeFrom } : {}),
          },
        });
        if (hold === 'profile_restart') throw new Released();
        return new Promise((resolve, reject) => {
          waiter = { requestId, resolve, reject };
        });
      },
    };
    let result: ExecutionResult;
    // A browser that is still starting answers the gateway 503 (or a restarting session refuses
    // the ticket): until ATTACH_WAIT_MS, a fresh ticket and a new try.
    const attachUntil = Date.now() + ATTACH_WAIT_MS;
    for (let tries = 1, delay = 500; ; tries++, delay = Math.min(delay * 1.5, 3000)) {
      if (version.executor === 'wb') {
        await running;
        started();
      }
      execution = version.executor === 'wb' ? startWb(start) : deps.playwright.start(start);
      result = await execution.done;
      if (!result.attachFailed || Date.now() > attachUntil || stopped) break;
      if (tries === 1) system(`${result.error ?? 'could not attach'}; trying again`);
      await new Promise((r) => setTimeout(r, delay));
      cdpUrl = await automationAccess(
        api,
        runId,
        attempt,
        claimed.lease_token,
        () => stopped !== null,
      );
    }
    phases.mark('execute');
    phases.split('execute', result.phases);
    await running;
    await logs.flush();
    phases.mark('logs_flush');
    if (stopped === 'stale' || stopped === 'ended' || result.killedFor === 'released') return;
    if (stopped === 'cancelled') {
      await report({
        state: 'cancelled',
        reason: 'cancel_requested',
        message: 'the entrypoint was stopped',
      });
      return;
    }
    await uploadFiles(api, runId, filesDir, system, redactor);
    phases.mark('upload_files');
    if (result.killedFor === 'timeout')
      await report({
        state: 'timed_out',
        reason: 'timeout',
        error: `the run took longer than ${version.timeout_ms} ms`,
      });
    else if (result.killedFor === 'memory_limit')
      await report({
        state: 'failed',
        reason: 'memory_limit',
        error: result.error ?? 'memory cap exceeded',
      });
    else if (result.ok)
      await report({
        state: 'succeeded',
        output: result.output ?? null,
        data: { entrypoint_ms: result.entrypointMs, ...phases.report() },
      });
    else
      await report({
        state: 'failed',
        reason: result.attachFailed
          ? 'session_unavailable'
          : result.killedFor
            ? 'runtime_failure'
            : 'entrypoint_failed',
        error: result.error ?? 'the entrypoint failed',
      });
  } catch (error) {
    if (stopped === 'stale' || stopped === 'ended' || code(error) === 'stale_attempt') return;
    const reason =
      (error as { reason?: string }).reason ??
      (code(error)?.startsWith('session_') ? 'session_unavailable' : 'runtime_failure');
    deps.log(redactor.redact(`run ${runId}: ${reason}: ${(error as Error).message}`));
    await logs.flush().catch(() => {});
    await report({ state: 'failed', reason, error: (error as Error).message.slice(0, 4000) }).catch(
      () => {},
    );
  } finally {
    started();
    clearInterval(timer);
    deps.active.delete(handle);
    await logs.flush().catch(() => {});
    if (filesDir) rmSync(filesDir, { recursive: true, force: true });
    if (downloadsDir) rmSync(downloadsDir, { recursive: true, force: true });
    if (filesDir) rmSync(`${filesDir}.inputs`, { recursive: true, force: true });
  }
}

/** A CDP gateway URL for the run's session; waits while the session is queued or starting. */
async function automationAccess(
  api: Api,
  runId: string,
  attempt: number,
  lease: string,
  stopped: () => boolean,
): Promise<string> {
  const until = Date.now() + SESSION_WAIT_MS;
  for (let delay = 200; ; delay = Math.min(delay * 1.5, 2000)) {
    try {
      const access = await api.issueWorkflowRunAutomationAccess(
        { params: { run_id: runId }, body: { attempt } },
        { headers: leaseHeaders(lease) },
      );
      return access.automation.endpoint_url;
    } catch (error) {
      const c = code(error);
      if (
        (c !== 'session_queued' && c !== 'session_not_running') ||
        Date.now() > until ||
        stopped()
      )
        throw error;
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

async function uploadFiles(
  api: Api,
  runId: string,
  dir: string,
  system: (m: string) => void,
  redactor: Redactor,
): Promise<void> {
  for (const path of filesOf(dir)) {
    const name = relative(dir, path).replaceAll('/', '_').slice(-200);
    const original = readFileSync(path);
    // A produced file is sent to the edge too: no resolved secret goes with it.
    const bytes = redactor.redactBytes(original);
    if (bytes !== original) system(`${name}: resolved credentials redacted from its content`);
    await api.uploadWorkflowRunProducedFile(
      {
        params: { run_id: runId },
        body: bytes,
        contentType: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
      },
      {
        headers: {
          'x-bpane-file-name': encodeURIComponent(name),
          'x-bpane-file-provenance': JSON.stringify({ source: 'workflow_worker' }),
        },
        timeoutMs: 120_000,
      },
    );
    system(`produced ${name} (${bytes.byteLength} bytes)`);
  }
}
