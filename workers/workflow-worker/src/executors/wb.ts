/**
 * Runs a `wb` verb workflow with the wb-browser-runtime's own verb engine: the runtime runs as the
 * entrypoint process (its `cdp` vendor attaches to the run's session through the CDP gateway) and
 * the worker speaks its `wb-sidecar/1` protocol: one slice with the workflow's verbs. A
 * `pause_for_human` verb pauses the slice; the worker asks a person and continues with the next
 * verb (same runtime, same browser), or — after a restart from the profile — in a new runtime.
 * The run's browser is sandboxed on a host: a download the runtime cannot read it asks of the
 * worker (`download.fetch`), which fetches it from the session's files as for Playwright
 * entrypoints (`fetchDownload`) and answers with the local copy (`download.file`).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { supervise } from './supervise.ts';
import { type Execution, type ExecutionResult, type ExecutionStart, Released } from './types.ts';

const RUNTIME_BIN = join(
  dirname(createRequire(import.meta.url).resolve('wb-browser-runtime/package.json')),
  'bin',
  'wb-browser-runtime.js',
);

/** The verbs of a wb entrypoint file: `{ "verbs": [...] }` or a bare array. */
export function readVerbs(path: string): unknown[] {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const verbs = Array.isArray(parsed) ? parsed : (parsed as { verbs?: unknown })?.verbs;
  if (!Array.isArray(verbs) || verbs.length === 0)
    throw new Error('a wb entrypoint must be a JSON array of verbs or { "verbs": [...] }');
  return verbs;
}

type Frame = { type: string; [k: string]: unknown };

export function startWb(run: ExecutionStart): Execution {
  let verbs: unknown[];
  try {
    verbs = readVerbs(resolve(run.sourceDir, run.entrypoint));
  } catch (error) {
    return {
      done: Promise.resolve({
        ok: false,
        error: (error as Error).message,
        entrypointMs: 0,
        killedFor: null,
      }),
      kill: () => {},
    };
  }
  const summaries: unknown[] = [];
  let entrypointMs = 0;
  let settle: (r: ExecutionResult) => void = () => {};
  let outcome: ExecutionResult | null = null;
  const finish = (r: ExecutionResult) => {
    outcome ??= r;
  };
  const proc = supervise(
    {
      command: process.execPath,
      args: [RUNTIME_BIN],
      cwd: run.filesDir,
      env: {
        ...process.env,
        WB_BROWSER_VENDOR: 'cdp',
        WB_BROWSER_CDP_URL: run.cdpUrl,
        WB_BROWSER_CDP_DOWNLOADS: 'host',
        WB_ARTIFACTS_DIR: run.filesDir,
        WB_SLICE_DEADLINE_MS: String(Math.max(1000, run.remainingMs)),
        WB_LOG_LEVEL: 'info',
      },
      ipc: false,
    },
    { memoryMb: run.memoryMb },
    {
      stdout: (line) => {
        let frame: Frame;
        try {
          frame = JSON.parse(line) as Frame;
        } catch {
          run.log('stdout', line);
          return;
        }
        onFrame(frame);
      },
      stderr: (line) => run.log('stderr', line),
    },
  );
  const write = (m: unknown) => proc.child.stdin?.write(`${JSON.stringify(m)}\n`);
  const slice = (verbIndex: number | null) =>
    write({
      type: 'slice',
      session: 'run',
      verbs,
      profile: null,
      block_index: 0,
      restore: verbIndex === null ? null : { state: { verb_index: verbIndex }, signal: null },
    });
  const onFrame = (frame: Frame) => {
    switch (frame.type) {
      case 'ready': {
        const at = run.resumeFrom?.verb_index;
        slice(typeof at === 'number' ? at : null);
        return;
      }
      case 'download.fetch':
        run.fetchDownload({ name: String(frame.name), since: Number(frame.since) }).then(
          (path) => write({ type: 'download.file', id: frame.id, path }),
          (error: Error) =>
            write({
              type: 'download.file',
              id: frame.id,
              path: null,
              error: `the session file could not be fetched: ${error.message}`,
            }),
        );
        return;
      case 'verb.complete':
        entrypointMs += Number(frame.duration_ms ?? 0);
        summaries.push({ verb: frame.verb, summary: frame.summary });
        run.log(
          'system',
          `verb ${frame.verb_index} ${String(frame.verb)}: ${String(frame.summary ?? 'done')}`,
        );
        return;
      case 'verb.failed':
        entrypointMs += Number(frame.duration_ms ?? 0);
        run.log(
          'stderr',
          `verb ${frame.verb_index} ${String(frame.verb)} failed (${String(frame.code)}): ${String(frame.error)}`,
        );
        return;
      case 'slice.complete':
        finish({ ok: true, output: { verbs: summaries }, entrypointMs, killedFor: null });
        write({ type: 'shutdown' });
        return;
      case 'slice.failed':
        finish({
          ok: false,
          error: `${String(frame.code)}: ${String(frame.error)}`,
          entrypointMs,
          killedFor: null,
        });
        write({ type: 'shutdown' });
        return;
      case 'slice.paused': {
        const index = Number(frame.verb_index ?? 0);
        run
          .requestInput(
            {
              kind: 'pause_for_human',
              prompt:
                typeof frame.message === 'string' && frame.message
                  ? frame.message
                  : 'The workflow waits for a person',
              details: {
                actions: frame.actions ?? null,
                context_url: frame.context_url ?? null,
                verb_index: index,
              },
            },
            { verb_index: index },
          )
          .then(
            () => slice(index),
            (error) => {
              if (error instanceof Released)
                finish({ ok: false, error: 'released', entrypointMs, killedFor: 'released' });
              proc.kill(error instanceof Released ? 'released' : 'stopped');
            },
          );
        return;
      }
      default:
        if (frame.type.startsWith('slice.')) run.log('system', `${frame.type}`);
    }
  };
  write({ type: 'hello', protocol: 'wb-sidecar/1' });
  const done = new Promise<ExecutionResult>((r) => {
    settle = r;
  });
  void proc.exited.then(({ code, signal, reason }) =>
    settle(
      outcome ?? {
        ok: false,
        error:
          reason === 'memory_limit'
            ? `the wb runtime went over its memory cap (${run.memoryMb} MiB)`
            : `the wb runtime ended (${signal ?? `exit ${code}`})`,
        entrypointMs,
        killedFor: reason ?? 'crashed',
      },
    ),
  );
  return { done, kill: (reason) => proc.kill(reason) };
}
