/** `workflow list|get|create|version create|version list`. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CreateWorkflowVersionRequest, WorkflowVersion } from '@browserpane/api';
import { intArg, jsonArg, pairsArg } from '../args.ts';
import { type Command, positionals, table, when } from '../command.ts';
import { UsageError } from '../errors.ts';

const one = (ctx: Parameters<Command['run']>[0], cmd: Command, what: string): string => {
  const [id, extra] = positionals(ctx, cmd);
  if (!id) throw new UsageError(`${cmd.path.join(' ')} needs ${what}`);
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
  return id;
};

export const workflowList: Command = {
  path: ['workflow', 'list'],
  summary: 'Your workflow definitions',
  async run(ctx) {
    const list = await ctx.api().listWorkflowDefinitions();
    ctx.print(list, () =>
      list.workflows.length === 0
        ? 'no workflows'
        : table([
            ['ID', 'NAME', 'LATEST', 'CREATED'],
            ...list.workflows.map((w) => [
              w.id,
              w.name,
              w.latest_version ?? '—',
              when(w.created_at),
            ]),
          ]),
    );
    return 0;
  },
};

export const workflowGet: Command = {
  path: ['workflow', 'get'],
  positionals: ['<workflow-id>'],
  summary: 'A workflow definition and its versions',
  async run(ctx) {
    const id = one(ctx, workflowGet, 'a workflow id');
    const api = ctx.api();
    const [workflow, versions] = await Promise.all([
      api.getWorkflowDefinition({ params: { workflow_id: id } }),
      api.listWorkflowDefinitionVersions({ params: { workflow_id: id } }),
    ]);
    ctx.print({ ...workflow, versions: versions.versions }, () =>
      [
        `${workflow.name} (${workflow.id})`,
        ...(workflow.description ? [workflow.description] : []),
        '',
        versions.versions.length === 0 ? 'no versions' : versionTable(versions.versions),
      ].join('\n'),
    );
    return 0;
  },
};

function versionTable(versions: readonly WorkflowVersion[]): string {
  return table([
    ['VERSION', 'EXECUTOR', 'ENTRYPOINT', 'SOURCE', 'SNAPSHOT', 'CREATED'],
    ...versions.map((v) => [
      v.version,
      v.executor,
      v.entrypoint,
      v.source
        ? `${v.source.repository_url}@${v.source.resolved_commit?.slice(0, 12) ?? v.source.ref ?? 'HEAD'}`
        : 'inline',
      v.snapshot.state,
      when(v.created_at),
    ]),
  ]);
}

export const workflowCreate: Command = {
  path: ['workflow', 'create'],
  summary: 'Create a workflow definition',
  options: {
    name: { kind: 'value', meta: 'name', help: 'its name (required)' },
    description: { kind: 'value', meta: 'text', help: 'what it does' },
    label: { kind: 'list', meta: 'key=value', help: 'a label (repeatable)' },
  },
  async run(ctx) {
    const name = ctx.args.values.get('name');
    if (!name) throw new UsageError('workflow create needs --name');
    const created = await ctx.api().createWorkflowDefinition({
      body: {
        name,
        ...(ctx.args.values.has('description')
          ? { description: ctx.args.values.get('description') }
          : {}),
        ...(ctx.args.lists.has('label')
          ? { labels: pairsArg('label', ctx.args.lists.get('label') ?? []) }
          : {}),
      },
    });
    ctx.print(created, () => created.id);
    return 0;
  },
};

/** The files of a directory (for an inline source), skipping `.git` and `node_modules`. */
function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name === '.git' || name === 'node_modules') continue;
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (s.isFile()) out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  try {
    walk(dir);
  } catch (error) {
    throw new UsageError(`--dir: cannot read ${dir}: ${(error as Error).message}`);
  }
  return out;
}

export const versionCreate: Command = {
  path: ['workflow', 'version', 'create'],
  positionals: ['<workflow-id>'],
  summary: 'Publish an immutable version (from git, or inline files)',
  details: `A git source is resolved to a commit now and stored once; runs never fetch it again.
Inline: --dir (every file below it) or --file path (repeatable), paths relative to the source.`,
  options: {
    version: { kind: 'value', meta: 'v', help: 'the version name, e.g. v1 (required)' },
    executor: { kind: 'value', meta: 'playwright|wb', help: 'how it runs (default playwright)' },
    entrypoint: {
      kind: 'value',
      meta: 'path',
      help: 'module (playwright) or verbs JSON (wb) (required)',
    },
    git: { kind: 'value', meta: 'url', help: 'git repository URL' },
    ref: { kind: 'value', meta: 'ref', help: 'branch, tag or ref (default: the remote HEAD)' },
    commit: {
      kind: 'value',
      meta: 'sha',
      help: 'pin this 40-digit commit instead of resolving --ref',
    },
    'root-path': {
      kind: 'value',
      meta: 'dir',
      help: 'the workflow sub-directory of the repository',
    },
    dir: { kind: 'value', meta: 'dir', help: 'inline source: every file below this directory' },
    file: { kind: 'list', meta: 'path', help: 'inline source: this file (repeatable)' },
    'input-schema': {
      kind: 'value',
      meta: 'json|@file',
      help: 'JSON Schema every run input must satisfy',
    },
    'timeout-ms': { kind: 'value', meta: 'ms', help: 'wall-clock limit of an attempt' },
    'memory-mb': { kind: 'value', meta: 'MiB', help: 'memory cap of the entrypoint process' },
  },
  async run(ctx) {
    const id = one(ctx, versionCreate, 'a workflow id');
    const v = ctx.args.values;
    const version = v.get('version');
    const entrypoint = v.get('entrypoint');
    if (!version || !entrypoint)
      throw new UsageError('version create needs --version and --entrypoint');
    const kinds = [v.has('git'), v.has('dir'), ctx.args.lists.has('file')].filter(Boolean).length;
    if (kinds !== 1) throw new UsageError('give exactly one source: --git, --dir or --file');
    let source: CreateWorkflowVersionRequest['source'];
    if (v.has('git'))
      source = {
        kind: 'git',
        repository_url: v.get('git') as string,
        ...(v.has('ref') ? { ref: v.get('ref') } : {}),
        ...(v.has('commit') ? { resolved_commit: v.get('commit') } : {}),
        ...(v.has('root-path') ? { root_path: v.get('root-path') } : {}),
      };
    else if (v.has('dir')) source = { kind: 'inline', files: filesOf(v.get('dir') as string) };
    else {
      const files: Record<string, string> = {};
      for (const path of ctx.args.lists.get('file') ?? []) {
        try {
          files[path] = readFileSync(path, 'utf8');
        } catch (error) {
          throw new UsageError(`--file: cannot read ${path}: ${(error as Error).message}`);
        }
      }
      source = { kind: 'inline', files };
    }
    const execution = {
      ...(v.has('timeout-ms')
        ? { timeout_ms: intArg('timeout-ms', v.get('timeout-ms') as string, 1000, 3_600_000) }
        : {}),
      ...(v.has('memory-mb')
        ? { memory_mb: intArg('memory-mb', v.get('memory-mb') as string, 64, 16_384) }
        : {}),
    };
    const created = await ctx.api().createWorkflowDefinitionVersion(
      {
        params: { workflow_id: id },
        body: {
          version,
          executor: v.get('executor') ?? 'playwright',
          entrypoint,
          source,
          ...(v.has('input-schema')
            ? { input_schema: jsonArg('input-schema', v.get('input-schema') as string) }
            : {}),
          ...(Object.keys(execution).length > 0 ? { execution } : {}),
        },
      },
      { timeoutMs: 300_000 },
    );
    ctx.print(created, () =>
      [
        `published ${created.version} (${created.id})`,
        created.source?.resolved_commit
          ? `commit ${created.source.resolved_commit}`
          : 'inline source',
        `snapshot ${created.snapshot.sha256 ?? '—'} (${created.snapshot.file_count ?? 0} files)`,
      ].join('\n'),
    );
    return 0;
  },
};

export const versionList: Command = {
  path: ['workflow', 'version', 'list'],
  positionals: ['<workflow-id>'],
  summary: "A workflow's versions",
  async run(ctx) {
    const id = one(ctx, versionList, 'a workflow id');
    const list = await ctx.api().listWorkflowDefinitionVersions({ params: { workflow_id: id } });
    ctx.print(list, () =>
      list.versions.length === 0 ? 'no versions' : versionTable(list.versions),
    );
    return 0;
  },
};

export { one as onePositional };
