/**
 * `workspace create|list|get|delete|files|upload|download|rm|bind|bindings|unbind`: file
 * workspaces, their files, and session file bindings.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pairsArg } from '../args.ts';
import { type Command, table, when } from '../command.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';

function positionals(ctx: Context, cmd: Command, count: number): string[] {
  const got = ctx.args.positionals.slice(cmd.path.length);
  if (got.length !== count)
    throw new UsageError(
      `usage: browserpane ${cmd.path.join(' ')} ${(cmd.positionals ?? []).join(' ')}`,
    );
  return got as string[];
}

const labels = (ctx: Context) =>
  ctx.args.lists.has('label')
    ? { labels: pairsArg('label', ctx.args.lists.get('label') ?? []) }
    : {};

export const workspaceCreate: Command = {
  path: ['workspace', 'create'],
  positionals: ['<name>'],
  summary: 'Create a file workspace',
  options: {
    description: { kind: 'value', meta: 'text', help: 'what it holds' },
    label: { kind: 'list', meta: 'key=value', help: 'a label (repeatable)' },
  },
  async run(ctx) {
    const [name] = positionals(ctx, workspaceCreate, 1);
    const description = ctx.args.values.get('description');
    const ws = await ctx.api().createFileWorkspace({
      body: { name: name as string, ...(description ? { description } : {}), ...labels(ctx) },
    });
    ctx.print(ws, () => `${ws.id}  ${ws.name}`);
    return 0;
  },
};

export const workspaceList: Command = {
  path: ['workspace', 'list'],
  summary: 'Your file workspaces',
  async run(ctx) {
    const list = await ctx.api().listFileWorkspaces({ query: {} });
    ctx.print(list, () =>
      list.workspaces.length === 0
        ? 'no file workspaces'
        : table([
            ['ID', 'NAME', 'CREATED'],
            ...list.workspaces.map((w) => [w.id, w.name, when(w.created_at)]),
          ]),
    );
    return 0;
  },
};

export const workspaceGet: Command = {
  path: ['workspace', 'get'],
  positionals: ['<workspace-id>'],
  summary: 'A file workspace',
  async run(ctx) {
    const [id] = positionals(ctx, workspaceGet, 1);
    const ws = await ctx.api().getFileWorkspace({ params: { workspace_id: id as string } });
    ctx.print(ws, () => `${ws.id}  ${ws.name}${ws.description ? `\n  ${ws.description}` : ''}`);
    return 0;
  },
};

export const workspaceDelete: Command = {
  path: ['workspace', 'delete'],
  positionals: ['<workspace-id>'],
  summary: 'Delete a file workspace and every file in it',
  async run(ctx) {
    const [id] = positionals(ctx, workspaceDelete, 1);
    const ws = await ctx.api().deleteFileWorkspace({ params: { workspace_id: id as string } });
    ctx.print(ws, () => `deleted ${ws.name} (${ws.id})`);
    return 0;
  },
};

export const workspaceFiles: Command = {
  path: ['workspace', 'files'],
  positionals: ['<workspace-id>'],
  summary: "A workspace's files",
  async run(ctx) {
    const [id] = positionals(ctx, workspaceFiles, 1);
    const list = await ctx.api().listFileWorkspaceFiles({ params: { workspace_id: id as string } });
    ctx.print(list, () =>
      list.files.length === 0
        ? 'no files'
        : table([
            ['ID', 'NAME', 'BYTES', 'SHA-256', 'CREATED'],
            ...list.files.map((f) => [
              f.id,
              f.name,
              String(f.byte_count),
              f.sha256_hex.slice(0, 16),
              when(f.created_at),
            ]),
          ]),
    );
    return 0;
  },
};

export const workspaceUpload: Command = {
  path: ['workspace', 'upload'],
  positionals: ['<workspace-id>', '<path>'],
  summary: 'Upload a file into a workspace (its SHA-256 is checked by the edge)',
  options: {
    name: { kind: 'value', meta: 'file-name', help: 'the name to store (default: the file’s)' },
    type: { kind: 'value', meta: 'media/type', help: 'its media type (default octet-stream)' },
  },
  async run(ctx) {
    const [id, path] = positionals(ctx, workspaceUpload, 2);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path as string);
    } catch (error) {
      throw new UsageError(`${path} cannot be read (${(error as Error).message})`);
    }
    const name = ctx.args.values.get('name') ?? basename(path as string);
    const file = await ctx.api().uploadFileWorkspaceFile(
      {
        params: { workspace_id: id as string },
        body: new Uint8Array(bytes),
        contentType: ctx.args.values.get('type') ?? 'application/octet-stream',
      },
      {
        headers: {
          'x-bpane-file-name': encodeURIComponent(name),
          'x-bpane-file-sha256': createHash('sha256').update(bytes).digest('hex'),
        },
        timeoutMs: 120_000,
      },
    );
    ctx.print(file, () => `${file.id}  ${file.name}  ${file.byte_count} bytes`);
    return 0;
  },
};

export const workspaceDownload: Command = {
  path: ['workspace', 'download'],
  positionals: ['<workspace-id>', '<file-id>'],
  summary: 'Download a workspace file (to --output, else stdout)',
  options: { output: { kind: 'value', meta: 'path', help: 'write the bytes to this file' } },
  async run(ctx) {
    const [id, fileId] = positionals(ctx, workspaceDownload, 2);
    const res = await ctx
      .api()
      .getFileWorkspaceFileContent(
        { params: { workspace_id: id as string, file_id: fileId as string } },
        { timeoutMs: 120_000 },
      );
    const bytes = new Uint8Array(await (res as Response).arrayBuffer());
    const output = ctx.args.values.get('output');
    if (output) {
      writeFileSync(output, bytes);
      ctx.io.out(`wrote ${bytes.byteLength} bytes to ${output}`);
    } else process.stdout.write(bytes);
    return 0;
  },
};

export const workspaceRemoveFile: Command = {
  path: ['workspace', 'rm'],
  positionals: ['<workspace-id>', '<file-id>'],
  summary: 'Delete a workspace file and its bytes',
  async run(ctx) {
    const [id, fileId] = positionals(ctx, workspaceRemoveFile, 2);
    const file = await ctx.api().deleteFileWorkspaceFile({
      params: { workspace_id: id as string, file_id: fileId as string },
    });
    ctx.print(file, () => `deleted ${file.name} (${file.id})`);
    return 0;
  },
};

export const workspaceBind: Command = {
  path: ['workspace', 'bind'],
  positionals: ['<session-id>', '<workspace-id>', '<file-id>'],
  summary: "Place a workspace file into a session's files (its page's file chooser gets it)",
  options: {
    mount: { kind: 'value', meta: 'relative/path', help: 'where (default: the file name)' },
    mode: { kind: 'value', meta: 'read_only|read_write|scratch_output', help: 'default read_only' },
    label: { kind: 'list', meta: 'key=value', help: 'a label (repeatable)' },
  },
  async run(ctx) {
    const [session, ws, fileId] = positionals(ctx, workspaceBind, 3);
    let mount = ctx.args.values.get('mount');
    if (!mount) {
      const file = await ctx.api().getFileWorkspaceFile({
        params: { workspace_id: ws as string, file_id: fileId as string },
      });
      mount = file.name;
    }
    const mode = ctx.args.values.get('mode');
    if (mode && !['read_only', 'read_write', 'scratch_output'].includes(mode))
      throw new UsageError('--mode must be read_only, read_write or scratch_output');
    const binding = await ctx.api().createSessionFileBinding({
      params: { session_id: session as string },
      body: {
        workspace_id: ws as string,
        file_id: fileId as string,
        mount_path: mount,
        ...(mode ? { mode: mode as 'read_only' } : {}),
        ...labels(ctx),
      },
    });
    ctx.print(binding, () => `${binding.id}  ${binding.mount_path}  ${binding.state}`);
    return 0;
  },
};

export const workspaceBindings: Command = {
  path: ['workspace', 'bindings'],
  positionals: ['<session-id>'],
  summary: "A session's file bindings",
  async run(ctx) {
    const [session] = positionals(ctx, workspaceBindings, 1);
    const list = await ctx
      .api()
      .listSessionFileBindings({ params: { session_id: session as string } });
    ctx.print(list, () =>
      list.bindings.length === 0
        ? 'no file bindings'
        : table([
            ['ID', 'MOUNT', 'STATE', 'FILE', 'BYTES'],
            ...list.bindings.map((b) => [
              b.id,
              b.mount_path,
              b.state + (b.error ? ` (${b.error})` : ''),
              b.file_name,
              String(b.byte_count),
            ]),
          ]),
    );
    return 0;
  },
};

export const workspaceUnbind: Command = {
  path: ['workspace', 'unbind'],
  positionals: ['<session-id>', '<binding-id>'],
  summary: 'Remove a session file binding (the host takes the placed copy away)',
  async run(ctx) {
    const [session, id] = positionals(ctx, workspaceUnbind, 2);
    const binding = await ctx.api().removeSessionFileBinding({
      params: { session_id: session as string, binding_id: id as string },
    });
    ctx.print(binding, () => `removed ${binding.mount_path} (${binding.id})`);
    return 0;
  },
};

export const workspaceCommands: Command[] = [
  workspaceCreate,
  workspaceList,
  workspaceGet,
  workspaceDelete,
  workspaceFiles,
  workspaceUpload,
  workspaceDownload,
  workspaceRemoveFile,
  workspaceBind,
  workspaceBindings,
  workspaceUnbind,
];
