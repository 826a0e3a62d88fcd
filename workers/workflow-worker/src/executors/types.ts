/** What an executor (playwright, wb) gets from the run and gives back. */
import type { CredentialCall, InputRequest, WorkspaceInputInfo } from './playwright-child.ts';

export type { CredentialCall, InputRequest, WorkspaceInputInfo };

export interface ExecutionStart {
  runId: string;
  /** CDP gateway URL of the run's session (an automation ticket; valid for a minute). */
  cdpUrl: string;
  sourceDir: string;
  entrypoint: string;
  input: unknown;
  /** The run's workspace inputs, placed in the session's files (the entrypoint's `workspaceInputs`). */
  workspaceInputs: WorkspaceInputInfo[];
  /** Answers so far, oldest first (replayed to `requestInput` after a restart). */
  answers: { action: string; input: unknown }[];
  /** `wb`: where to continue (`{ verb_index }` of the paused verb). */
  resumeFrom: Record<string, unknown> | null;
  filesDir: string;
  memoryMb: number;
  /**
   * The entrypoint's code starts once this settles (the run is reported `running`); the executor
   * may attach and load meanwhile. Rejected: the run does not go on (the executor stops).
   */
  running: Promise<void>;
  /** The entrypoint's code begins (the run's start is over). */
  began?(): void;
  /** Milliseconds the run may still take (wb slices get it as their deadline). */
  remainingMs: number;
  log(stream: 'stdout' | 'stderr' | 'system', message: string): void;
  /**
   * The entrypoint asks a person. Resolves with the answer (the run goes on), or rejects with a
   * `Released` error when the run is to continue later on a fresh browser (then stop quietly).
   */
  requestInput(request: InputRequest, resumeFrom?: Record<string, unknown>): Promise<unknown>;
  /**
   * A download of the run's browser, from the session's recorded files (the browser is in its
   * sandbox on a host): a local copy's path, or null when no file of that name came in time.
   */
  fetchDownload(file: { name: string; since: number }): Promise<string | null>;
  /**
   * A workspace input's bytes for the entrypoint (`files.read` / `files.input`): the path of a
   * local copy, fetched with the run's lease; rejects for a mount path the run does not have.
   */
  workspaceInput(mountPath: string): Promise<string>;
  /**
   * A `credentials.*` call of the entrypoint (the worker resolves and injects; credentials/broker.ts):
   * what the entrypoint may see, or a rejection with a message that carries no secret.
   */
  credential(call: CredentialCall): Promise<unknown>;
}

export interface ExecutionResult {
  ok: boolean;
  output?: unknown;
  error?: string;
  /** The entrypoint's own time (waiting for people excluded). */
  entrypointMs: number;
  /** Why the worker ended the process (`memory_limit`, `timeout`, `cancelled`, …). */
  killedFor: string | null;
  /** Parts of the execution the executor measured (ms): `attach`, `prepare`, `entrypoint`, … */
  phases?: Record<string, number>;
  /** The entrypoint never started: attaching to the session failed (worth a fresh ticket). */
  attachFailed?: boolean;
}

export interface Execution {
  done: Promise<ExecutionResult>;
  kill(reason: string): void;
}

/** The run continues later from the saved profile: the executor stops without a result. */
export class Released extends Error {
  constructor() {
    super('the runtime was released; the run continues later on a fresh browser');
  }
}
