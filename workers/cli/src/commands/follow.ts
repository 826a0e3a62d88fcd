/**
 * Following a run: its log lines as they come (long polls of `GET …/logs?wait_sec=`), its state
 * changes as progress lines on stderr (with the pending request and how to answer it), until it
 * ends. Exit 0 when it succeeded, 1 otherwise.
 */
import type { Api, WorkflowRun } from '@browserpane/api';
import type { Context } from '../context.ts';
import { EXIT } from '../errors.ts';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

export function describeState(run: WorkflowRun): string {
  const parts = [`run ${run.id}: ${run.state}`];
  if (run.reason) parts.push(`(${run.reason})`);
  if (run.state === 'queued' && run.admission)
    parts.push(`— position ${run.admission.position}, ${run.admission.reason}`);
  if (run.error) parts.push(`— ${run.error}`);
  return parts.join(' ');
}

export function describePending(run: WorkflowRun): string | null {
  const p = run.intervention.pending_request;
  if (run.state !== 'awaiting_input' || !p) return null;
  return [
    `  waiting for a person (${p.kind}): ${p.prompt ?? 'input requested'}`,
    ...(p.input_schema ? [`  answer schema: ${JSON.stringify(p.input_schema)}`] : []),
    `  hold: ${p.hold.mode} until ${p.hold.hold_until}`,
    `  answer: browserpane run submit-input ${run.id} --input '<json>'  (or run resume / run reject)`,
  ].join('\n');
}

export async function followRun(
  ctx: Context,
  api: Api,
  runId: string,
  showLogs: boolean,
): Promise<number> {
  let after = 0;
  let lastState = '';
  for (;;) {
    const page = await api.getWorkflowRunLogs(
      { params: { run_id: runId }, query: { after, wait_sec: 20, limit: 1000 } },
      { timeoutMs: 60_000 },
    );
    if (showLogs)
      for (const line of page.logs)
        ctx.json
          ? ctx.io.out(JSON.stringify(line))
          : ctx.io.out(
              line.stream === 'stdout' ? line.message : `[${line.stream}] ${line.message}`,
            );
    after = page.next_after;
    if (page.run_state !== lastState || TERMINAL.has(page.run_state)) {
      const run = await api.getWorkflowRun({ params: { run_id: runId } });
      if (run.state !== lastState) {
        lastState = run.state;
        ctx.io.err(describeState(run));
        const pending = describePending(run);
        if (pending) ctx.io.err(pending);
      }
      if (TERMINAL.has(run.state) && page.logs.length === 0) {
        if (!showLogs) ctx.print(run, () => summary(run));
        else if (run.output !== null && run.output !== undefined && !ctx.json)
          ctx.io.err(`output: ${JSON.stringify(run.output)}`);
        return run.state === 'succeeded' ? EXIT.ok : EXIT.runFailed;
      }
    }
  }
}

export function summary(run: WorkflowRun): string {
  const lines = [
    describeState(run),
    `  workflow ${run.workflow_definition_id} version ${run.workflow_version} · session ${run.session_id} · attempt ${run.attempt}/${run.max_attempts}`,
  ];
  const pending = describePending(run);
  if (pending) lines.push(pending);
  if (run.output !== null && run.output !== undefined)
    lines.push(`  output: ${JSON.stringify(run.output)}`);
  for (const f of run.produced_files)
    lines.push(
      `  file ${f.file_id} ${f.file_name} (${f.byte_count} bytes, ${f.media_type ?? '?'})`,
    );
  return lines.join('\n');
}
