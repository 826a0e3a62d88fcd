/**
 * Runs the recording worker beside the agent: one child process per recording or export the edge
 * lists in the desired state, its job and renewed tokens written to the child's stdin (never its
 * argv or environment; the environment carries none of the agent's secrets either). A recorder that dies without finishing (killed, crashed) is reported to
 * the edge as failed, which keeps what it uploaded as the playable file; a finished or failed id is
 * never started twice. Stopping the agent stops the recorders cleanly (SIGTERM: they close and
 * store their files).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  type DesiredExport,
  type DesiredRecording,
  RECORDING_WORKER_HEADER,
} from '@browserpane/api';
import type { Logger } from '../log.ts';
import { recordingWorkerEnv } from './worker-env.ts';

export interface RecorderSupervisorOptions {
  /** The worker's launcher (a Node script). */
  readonly launcher: string;
  readonly edgeUrl: string;
  readonly log: Logger;
  /** Extra environment for the workers (their RECORDING_* settings). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * This host's relay as the workers beside it dial it: its TLS port on loopback and the pin of
   * the certificate it serves now (the published URL may be a browser-only plain WebSocket port).
   */
  readonly localRelay?: () => { readonly url: string; readonly certSha256: string };
}

interface Running {
  readonly child: ChildProcess;
  readonly kind: 'record' | 'export';
  readonly sessionId: string;
  token: string;
  stopping: boolean;
}

/** Ids remembered as done (bounded). */
const DONE_LIMIT = 4096;

export class RecorderSupervisor {
  private readonly running = new Map<string, Running>();
  private readonly done = new Set<string>();
  private stopped = false;

  constructor(private readonly options: RecorderSupervisorOptions) {}

  /** What the heartbeat reports (`recorder.available`). */
  get available(): boolean {
    return !this.stopped;
  }

  /** The pids of the running recorders (benchmarks read their CPU), by recording or export id. */
  pids(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [id, r] of this.running) if (r.child.pid) out.set(id, r.child.pid);
    return out;
  }

  /** Kills one recorder abruptly (fault tests: a crash). */
  kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): boolean {
    const r = this.running.get(id);
    return r ? r.child.kill(signal) : false;
  }

  /** Applies the desired state: starts what is missing, hands running ones their new tokens. */
  apply(recordings: readonly DesiredRecording[], exports: readonly DesiredExport[]): void {
    if (this.stopped) return;
    for (const r of recordings) {
      const current = this.running.get(r.recording_id);
      if (current) {
        this.renew(current, r.worker_token);
        continue;
      }
      if (this.done.has(r.recording_id)) continue;
      this.start(r.recording_id, r.session_id, 'record', r.worker_token, {
        kind: 'record',
        recording_id: r.recording_id,
        session_id: r.session_id,
        include_audio: r.include_audio,
        rrweb: r.rrweb,
        worker_token: r.worker_token,
      });
    }
    for (const x of exports) {
      const current = this.running.get(x.export_id);
      if (current) {
        this.renew(current, x.worker_token);
        continue;
      }
      if (this.done.has(x.export_id)) continue;
      this.start(x.export_id, x.session_id, 'export', x.worker_token, {
        kind: 'export',
        export_id: x.export_id,
        session_id: x.session_id,
        format: x.format,
        worker_token: x.worker_token,
      });
    }
  }

  private renew(r: Running, token: string): void {
    if (token === r.token) return;
    r.token = token;
    r.child.stdin?.write(`${JSON.stringify({ token })}\n`);
  }

  private start(
    id: string,
    sessionId: string,
    kind: Running['kind'],
    token: string,
    job: Record<string, unknown>,
  ): void {
    const log = this.options.log;
    const relay = this.options.localRelay?.();
    const child = spawn(process.execPath, [this.options.launcher], {
      // the agent's own secrets stay with the agent (worker-env.ts)
      env: recordingWorkerEnv(process.env, {
        ...this.options.env,
        EDGE_URL: this.options.edgeUrl,
        ...(relay
          ? { RECORDING_RELAY_URL: relay.url, RECORDING_RELAY_CERT_SHA256: relay.certSha256 }
          : {}),
      }),
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const entry: Running = { child, kind, sessionId, token, stopping: false };
    this.running.set(id, entry);
    child.stdin?.on('error', () => {});
    child.stdin?.write(`${JSON.stringify(job)}\n`);
    if (child.stderr)
      createInterface({ input: child.stderr }).on('line', (line) => {
        let parsed: Record<string, unknown> | undefined;
        try {
          parsed = JSON.parse(line) as Record<string, unknown>;
        } catch {
          parsed = undefined;
        }
        const msg = typeof parsed?.msg === 'string' ? parsed.msg : line.slice(0, 500);
        const level = parsed?.level === 'warn' || parsed?.level === 'error' ? 'warn' : 'info';
        log[level](`recording worker: ${msg}`, { id, kind, ...(parsed ? { detail: parsed } : {}) });
      });
    log.info('recording worker started', { id, kind, sessionId, pid: child.pid });
    child.on('exit', (code, signal) => {
      this.running.delete(id);
      this.remember(id);
      const clean = code === 0 && !signal;
      log[clean ? 'info' : 'warn']('recording worker exited', { id, kind, code, signal });
      if (!clean && kind === 'record')
        void this.reportDeath(id, entry, signal ? `signal ${signal}` : `exit code ${code}`);
    });
    child.on('error', (err) => log.warn('recording worker could not start', { id, err }));
  }

  private remember(id: string): void {
    this.done.add(id);
    if (this.done.size > DONE_LIMIT) this.done.delete(this.done.values().next().value as string);
  }

  /** A recorder died: the edge fails the recording and keeps what it uploaded. */
  private async reportDeath(id: string, r: Running, how: string): Promise<void> {
    const url = `${this.options.edgeUrl}/api/v1/sessions/${r.sessionId}/recordings/${id}/fail`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [RECORDING_WORKER_HEADER]: r.token },
      body: JSON.stringify({
        error: `the recording worker stopped unexpectedly (${how}); what it uploaded is kept`,
        termination_reason: 'worker_exit',
      }),
      signal: AbortSignal.timeout(15_000),
    }).catch((err: Error) => err);
    if (res instanceof Error || (!res.ok && res.status !== 409))
      this.options.log.warn('could not report a dead recording worker', {
        id,
        status: res instanceof Error ? res.message : res.status,
      });
  }

  /** Stops every recorder (SIGTERM; SIGKILL after `graceMs`). */
  async stopAll(graceMs = 15_000): Promise<void> {
    this.stopped = true;
    const exits = [...this.running.values()].map(
      (r) =>
        new Promise<void>((resolve) => {
          if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
          r.child.once('exit', () => resolve());
          r.stopping = true;
          r.child.kill('SIGTERM');
          setTimeout(() => r.child.kill('SIGKILL'), graceMs).unref();
        }),
    );
    await Promise.all(exits);
  }
}
