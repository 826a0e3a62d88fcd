/**
 * `extension upload|list|get|approve|refuse|delete`: approved Chromium extensions. `upload` takes
 * a ZIP of an unpacked extension, or a folder (packed here); the edge checks it and keeps it
 * pending until its owner approves it. Sessions and workflow versions then name it by id.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Extension } from '@browserpane/api';
import { writeZip, type ZipInput } from '@browserpane/api/extension-archive';
import { type Command, table, when } from '../command.ts';
import { UsageError } from '../errors.ts';
import { onePositional } from './workflows.ts';

function describe(e: Extension): string {
  return [
    `${e.id}  ${e.name} ${e.version}`,
    `  state ${e.state}${e.approved_at ? ` (approved ${when(e.approved_at)})` : ''}${e.refused_at ? ` (refused ${when(e.refused_at)})` : ''}`,
    ...(e.description ? [`  ${e.description}`] : []),
    `  ${e.files} files · ${e.size} bytes · sha256 ${e.sha256}`,
    `  uploaded ${when(e.created_at)}`,
  ].join('\n');
}

/** A folder's files as ZIP entries (regular files and folders only; links are refused). */
function folderEntries(root: string): ZipInput[] {
  const out: ZipInput[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = statSync(path, { throwIfNoEntry: false });
      const rel = relative(root, path).split(sep).join('/');
      if (!st) continue;
      if (st.isDirectory()) {
        out.push({ name: `${rel}/` });
        walk(path);
      } else if (st.isFile()) out.push({ name: rel, data: readFileSync(path) });
      else throw new UsageError(`${path} is neither a file nor a folder`);
    }
  };
  walk(root);
  return out;
}

async function archiveOf(path: string): Promise<Uint8Array> {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new UsageError(`${path} does not exist`);
  if (st.isDirectory()) return writeZip(folderEntries(path));
  return readFileSync(path);
}

export const extensionUpload: Command = {
  path: ['extension', 'upload'],
  positionals: ['<zip-or-folder>'],
  summary: 'Upload an unpacked Chromium extension (a ZIP, or a folder packed here)',
  details: `The archive holds manifest.json (manifest_version 3, name, version) at its top or in its one
top folder; the edge refuses links, paths that climb out and malformed manifests with a clear code.
It starts pending_approval: \`browserpane extension approve <id>\`, then name it at session creation
(\`extension_ids\`) or in a workflow version (\`allowed_extension_ids\`).`,
  async run(ctx) {
    const path = onePositional(ctx, extensionUpload, 'a ZIP file or a folder');
    const bytes = await archiveOf(path);
    const ext = await ctx
      .api()
      .uploadExtension(
        { query: {}, body: Buffer.from(bytes), contentType: 'application/zip' },
        { timeoutMs: 120_000 },
      );
    ctx.print(ext, () => describe(ext));
    return 0;
  },
};

export const extensionList: Command = {
  path: ['extension', 'list'],
  summary: 'Your extensions and their approval state',
  async run(ctx) {
    const list = await ctx.api().listExtensions({ query: {} });
    ctx.print(list, () =>
      list.extensions.length === 0
        ? 'no extensions'
        : table([
            ['ID', 'NAME', 'VERSION', 'STATE', 'UPLOADED'],
            ...list.extensions.map((e) => [e.id, e.name, e.version, e.state, when(e.created_at)]),
          ]),
    );
    return 0;
  },
};

const byId = (verb: 'get' | 'approve' | 'refuse' | 'delete', summary: string): Command => {
  const command: Command = {
    path: ['extension', verb],
    positionals: ['<extension-id>'],
    summary,
    async run(ctx) {
      const extension_id = onePositional(ctx, command, 'an extension id');
      const api = ctx.api();
      const params = { params: { extension_id } };
      const ext =
        verb === 'get'
          ? await api.getExtension(params)
          : verb === 'approve'
            ? await api.approveExtension(params)
            : verb === 'refuse'
              ? await api.refuseExtension(params)
              : await api.deleteExtension(params);
      ctx.print(ext, () =>
        verb === 'delete' ? `deleted ${ext.name} ${ext.version} (${ext.id})` : describe(ext),
      );
      return 0;
    },
  };
  return command;
};

export const EXTENSION_COMMANDS: readonly Command[] = [
  extensionUpload,
  extensionList,
  byId('get', 'An extension'),
  byId('approve', 'Approve an extension: sessions and workflow versions may then use it'),
  byId('refuse', 'Refuse a pending extension (final)'),
  byId('delete', 'Delete an extension and its archive'),
];
