/** `run start|get|list|logs|cancel|submit-input|resume|reject|files|download`. */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CreateWorkflowRunRequest } from '@browserpane/api';
import { intArg, jsonArg, pairsArg } from '../args.ts';
import { type Command, positionals, table, when } from '../command.ts';
import { UsageError } from '../errors.ts';
import { bindingId } from './credentials.ts';
import { followRun, summary } from './follow.ts';
import { onePositional } from './workflows.ts';

const STATES = [
  'pending',
  'queued',
  'starting',
  'running',
  'awaiting_input',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;

export const runStart: Command = {
  path: ['run', 'start'],
  summary: 'Start a run of a workflow version',
  details: `Prints the run; with --follow, its log and progress until it ends (exit 0 when it
succeeded, 1 otherwise). Without --session a new session is created for it.`,
  options: {
    workflow: { kind: 'value', meta: 'id', help: 'the workflow definition (required)' },
    version: { kind: 'value', meta: 'v', help: 'its version (required)' },
    input: { kind: 'value', meta: 'json|@file|-', help: "the run's input" },
    session: { kind: 'value', meta: 'session-id', help: 'run in this session (one you own)' },
    'client-request-id': {
      kind: 'value',
      meta: 'key',
      help: 'idempotency key: a retry gets the same run',
    },
    'source-system': { kind: 'value', meta: 'name', help: 'correlation: the calling system' },
    'source-reference': { kind: 'value', meta: 'ref', help: 'correlation: its reference' },
    label: { kind: 'list', meta: 'key=value', help: 'a label (repeatable)' },
    credential: {
      kind: 'list',
      meta: 'name|id',
      help: 'grant a credential binding to the run (repeatable)',
    },
    'workspace-input': {
      kind: 'list',
      meta: 'workspace-id:file-id[=mount/path]',
      help: "mount a workspace file in the run's session (its page's file chooser gets it; repeatable)",
    },
    'output-workspace': {
      kind: 'value',
      meta: 'workspace-id',
      help: 'a workspace of yours that receives the files the run produces',
    },
    follow: { kind: 'flag', help: 'follow the log and progress until the run ends' },
  },
  async run(ctx) {
    const v = ctx.args.values;
    const workflow = v.get('workflow');
    const version = v.get('version');
    if (!workflow || !version) throw new UsageError('run start needs --workflow and --version');
    if (positionals(ctx, runStart).length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(positionals(ctx, runStart)[0])}`);
    const body: CreateWorkflowRunRequest = {
      workflow_id: workflow,
      version,
      ...(v.has('input') ? { input: jsonArg('input', v.get('input') as string) } : {}),
      ...(v.has('session') ? { session: { existing_session_id: v.get('session') } } : {}),
      ...(v.has('client-request-id') ? { client_request_id: v.get('client-request-id') } : {}),
      ...(v.has('source-system') ? { source_system: v.get('source-system') } : {}),
      ...(v.has('source-reference') ? { source_reference: v.get('source-reference') } : {}),
      ...(ctx.args.lists.has('label')
        ? { labels: pairsArg('label', ctx.args.lists.get('label') ?? []) }
        : {}),
      ...(ctx.args.lists.has('credential')
        ? {
            credential_binding_ids: await Promise.all(
              (ctx.args.lists.get('credential') ?? []).map((ref) => bindingId(ctx, ref)),
            ),
          }
        : {}),
      ...(ctx.args.lists.has('workspace-input')
        ? {
            workspace_inputs: (ctx.args.lists.get('workspace-input') ?? []).map(workspaceInputArg),
          }
        : {}),
      ...(v.has('output-workspace') ? { output_workspace_id: v.get('output-workspace') } : {}),
    };
    const api = ctx.api();
    const run = await api.createWorkflowRun({ body });
    if (!ctx.args.flags.has('follow')) {
      ctx.print(run, () => summary(run));
      return 0;
    }
    ctx.io.err(`started run ${run.id}`);
    return followRun(ctx, api, run.id, true);
  },
};

export const runGet: Command = {
  path: ['run', 'get'],
  positionals: ['<run-id>'],
  summary: 'A run: state, reason, pending request, output, produced files',
  async run(ctx) {
    const run = await ctx
      .api()
      .getWorkflowRun({ params: { run_id: onePositional(ctx, runGet, 'a run id') } });
    ctx.print(run, () => summary(run));
    return 0;
  },
};

export const runList: Command = {
  path: ['run', 'list'],
  summary: 'Your runs, newest first',
  options: {
    state: { kind: 'value', meta: STATES.join('|'), help: 'only runs in this state' },
    workflow: { kind: 'value', meta: 'id', help: 'only runs of this workflow' },
    limit: { kind: 'value', meta: 'n', help: 'at most this many (default 100)' },
  },
  async run(ctx) {
    const v = ctx.args.values;
    const state = v.get('state');
    if (state && !(STATES as readonly string[]).includes(state))
      throw new UsageError(`--state must be one of ${STATES.join(', ')}`);
    const list = await ctx.api().listWorkflowRuns({
      query: {
        ...(state ? { state: state as (typeof STATES)[number] } : {}),
        ...(v.has('workflow') ? { workflow_id: v.get('workflow') } : {}),
        ...(v.has('limit') ? { limit: intArg('limit', v.get('limit') as string, 1, 500) } : {}),
      },
    });
    ctx.print(list, () =>
      list.runs.length === 0
        ? 'no runs'
        : table([
            ['ID', 'STATE', 'VERSION', 'REASON', 'CREATED'],
            ...list.runs.map((r) => [
              r.id,
              r.state,
              r.workflow_version,
              r.reason ?? '',
              when(r.created_at),
            ]),
          ]),
    );
    return 0;
  },
};

export const runLogs: Command = {
  path: ['run', 'logs'],
  positionals: ['<run-id>'],
  summary: "A run's log (--follow: until it ends)",
  options: {
    follow: { kind: 'flag', help: 'keep printing new lines and progress until the run ends' },
  },
  async run(ctx) {
    const id = onePositional(ctx, runLogs, 'a run id');
    const api = ctx.api();
    if (ctx.args.flags.has('follow')) return followRun(ctx, api, id, true);
    let after = 0;
    for (;;) {
      const page = await api.getWorkflowRunLogs({
        params: { run_id: id },
        query: { after, limit: 5000 },
      });
      for (const line of page.logs)
        ctx.io.out(
          ctx.json
            ? JSON.stringify(line)
            : line.stream === 'stdout'
              ? line.message
              : `[${line.stream}] ${line.message}`,
        );
      if (page.logs.length === 0 || page.next_after === after) return 0;
      after = page.next_after;
    }
  },
};

const control = (
  name: 'cancel' | 'submit-input' | 'resume' | 'reject',
  summaryText: string,
  options: Command['options'],
  call: (
    ctx: Parameters<Command['run']>[0],
    id: string,
  ) => ReturnType<ReturnType<Parameters<Command['run']>[0]['api']>['getWorkflowRun']>,
): Command => {
  const cmd: Command = {
    path: ['run', name],
    positionals: ['<run-id>'],
    summary: summaryText,
    ...(options ? { options } : {}),
    async run(ctx) {
      const run = await call(ctx, onePositional(ctx, cmd, 'a run id'));
      ctx.print(run, () => summary(run));
      return 0;
    },
  };
  return cmd;
};

export const runCancel = control(
  'cancel',
  'Cancel a run (queued, running or waiting)',
  undefined,
  (ctx, id) => ctx.api().cancelWorkflowRun({ params: { run_id: id } }),
);

export const runSubmitInput = control(
  'submit-input',
  'Answer the pending request of a waiting run',
  {
    input: {
      kind: 'value',
      meta: 'json|@file|-',
      help: 'the answer (required; must satisfy the request schema)',
    },
    comment: { kind: 'value', meta: 'text', help: 'a note kept with the answer' },
  },
  (ctx, id) => {
    const raw = ctx.args.values.get('input');
    if (raw === undefined) throw new UsageError('submit-input needs --input <json>');
    const comment = ctx.args.values.get('comment');
    return ctx.api().submitWorkflowRunInput({
      params: { run_id: id },
      body: { input: jsonArg('input', raw), ...(comment ? { comment } : {}) },
    });
  },
);

export const runResume = control(
  'resume',
  'Let a waiting run go on (a person fixed things in the live view)',
  { comment: { kind: 'value', meta: 'text', help: 'a note kept with the resolution' } },
  (ctx, id) => {
    const comment = ctx.args.values.get('comment');
    return ctx
      .api()
      .resumeWorkflowRun({ params: { run_id: id }, body: comment ? { comment } : {} });
  },
);

export const runReject = control(
  'reject',
  'Refuse the pending request: the run fails with the reason',
  { reason: { kind: 'value', meta: 'text', help: 'why (required)' } },
  (ctx, id) => {
    const reason = ctx.args.values.get('reason');
    if (!reason) throw new UsageError('reject needs --reason <text>');
    return ctx.api().rejectWorkflowRun({ params: { run_id: id }, body: { reason } });
  },
);

export const runFiles: Command = {
  path: ['run', 'files'],
  positionals: ['<run-id>'],
  summary: 'Files a run produced',
  async run(ctx) {
    const list = await ctx.api().listWorkflowRunProducedFiles({
      params: { run_id: onePositional(ctx, runFiles, 'a run id') },
    });
    ctx.print(list, () =>
      list.files.length === 0
        ? 'no files'
        : table([
            ['FILE ID', 'NAME', 'BYTES', 'TYPE', 'SHA-256'],
            ...list.files.map((f) => [
              f.file_id,
              f.file_name,
              String(f.byte_count),
              f.media_type ?? '',
              f.sha256_hex,
            ]),
          ]),
    );
    return 0;
  },
};

export const runDownload: Command = {
  path: ['run', 'download'],
  positionals: ['<run-id>', '<file-id>'],
  summary: 'Download a produced file',
  options: {
    output: {
      kind: 'value',
      meta: 'path',
      help: 'where to write it (default: its name here; - for stdout)',
    },
  },
  async run(ctx) {
    const [runId, fileId, extra] = positionals(ctx, runDownload);
    if (!runId || !fileId) throw new UsageError('run download needs <run-id> <file-id>');
    if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
    const api = ctx.api();
    let target = ctx.args.values.get('output');
    if (!target) {
      const list = await api.listWorkflowRunProducedFiles({ params: { run_id: runId } });
      target = list.files.find((f) => f.file_id === fileId)?.file_name ?? fileId;
    }
    const res = await api.getWorkflowRunProducedFileContent(
      { params: { run_id: runId, file_id: fileId } },
      { timeoutMs: 600_000 },
    );
    if (!res.body) throw new Error('the edge sent no content');
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    if (target === '-') await pipeline(body, process.stdout, { end: false });
    else {
      await pipeline(body, createWriteStream(target));
      ctx.print(
        { path: target, bytes: Number(res.headers.get('content-length') ?? 0) },
        () => `saved ${target}`,
      );
    }
    return 0;
  },
};

/** `<workspace-id>:<file-id>[=<mount-path>]` → one of a run's `workspace_inputs`. */
function workspaceInputArg(arg: string): {
  workspace_id: string;
  file_id: string;
  mount_path?: string;
} {
  const m = /^([^:=]+):([^=]+)(?:=(.+))?$/.exec(arg);
  if (!m)
    throw new UsageError(
      `--workspace-input ${JSON.stringify(arg)}: expected <workspace-id>:<file-id>[=<mount-path>]`,
    );
  return {
    workspace_id: m[1] as string,
    file_id: m[2] as string,
    ...(m[3] ? { mount_path: m[3] } : {}),
  };
}
