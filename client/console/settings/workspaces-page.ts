/**
 * Settings › Workspaces: the person's file workspaces (create, delete), their files (upload,
 * download, delete). Runs read their inputs from these and write produced files into them.
 */
import type { Api } from '@browserpane/api';
import { clear, h, timeAgo } from '../dom.ts';
import { action, bytes, field, input, saveBlob, table } from './common.ts';

export async function renderWorkspaces(root: HTMLElement, api: Api): Promise<void> {
  const rerender = () => renderWorkspaces(root, api);
  const { workspaces } = await api.listFileWorkspaces();
  const files = await Promise.all(
    workspaces.map((w) => api.listFileWorkspaceFiles({ params: { workspace_id: w.id } })),
  );
  clear(root);
  const error = h('p.error.form-error', { 'data-testid': 'settings-error' });
  const name = input('workspace-name', 'Workspace name', { placeholder: 'Invoices 2026' });
  root.append(
    h('h2', { text: 'File workspaces' }),
    h('p.hint', {
      text: 'Files your runs read (workspace_inputs: the page’s file chooser gets them) and the files runs produce (output_workspace_id).',
    }),
    h(
      'div.start-form',
      {},
      field('New workspace', name),
      h(
        'div.actions',
        {},
        action('button.primary', 'create-workspace', 'Create workspace', error, async () => {
          if (!name.value.trim()) throw new Error('Give the workspace a name.');
          await api.createFileWorkspace({ body: { name: name.value.trim() } });
          await rerender();
        }),
      ),
    ),
    error,
  );
  if (workspaces.length === 0) root.append(h('p.empty', { text: 'No workspaces yet.' }));
  workspaces.forEach((w, i) => {
    const picker = h<'input'>('input', {
      type: 'file',
      'data-testid': `upload-file-${w.name}`,
      'aria-label': `Upload a file to ${w.name}`,
    });
    const list = files[i]?.files ?? [];
    root.append(
      h(
        'section.settings-card',
        { 'data-testid': 'workspace', 'data-workspace': w.id },
        h(
          'div.card-head',
          {},
          h('h3', { text: w.name }),
          h('span.session-meta', { text: `${list.length} files · ${timeAgo(w.created_at)}` }),
          h('span.spacer'),
          picker,
          action('button', `upload-${w.name}`, 'Upload', error, async () => {
            const file = picker.files?.[0];
            if (!file) throw new Error('Pick a file to upload first.');
            await api.uploadFileWorkspaceFile(
              {
                params: { workspace_id: w.id },
                body: file,
                contentType: file.type || 'application/octet-stream',
              },
              {
                headers: { 'x-bpane-file-name': encodeURIComponent(file.name) },
                timeoutMs: 300_000,
              },
            );
            await rerender();
          }),
          action(
            'button.danger',
            `delete-workspace-${w.name}`,
            'Delete workspace',
            error,
            async () => {
              if (!window.confirm(`Delete the workspace ${w.name} and its files?`)) return;
              await api.deleteFileWorkspace({ params: { workspace_id: w.id } });
              await rerender();
            },
          ),
        ),
        list.length === 0
          ? h('p.empty', { text: 'No files.' })
          : table(
              `files-${w.name}`,
              ['Name', 'Size', 'SHA-256', 'From run', 'Added', ''],
              list.map((f) => [
                h('span', { text: f.name }),
                h('span', { text: bytes(f.byte_count) }),
                h('code', { text: `${f.sha256_hex.slice(0, 12)}…`, title: f.sha256_hex }),
                h('span', { text: f.run_id ? `…${f.run_id.slice(-12)}` : '—' }),
                h('span', { text: timeAgo(f.created_at) }),
                h(
                  'span.row-actions',
                  {},
                  action('button', `download-${f.name}`, 'Download', error, async () => {
                    const res = await api.getFileWorkspaceFileContent({
                      params: { workspace_id: w.id, file_id: f.id },
                    });
                    saveBlob(await res.blob(), f.name);
                  }),
                  action('button.danger', `delete-file-${f.name}`, 'Delete', error, async () => {
                    await api.deleteFileWorkspaceFile({
                      params: { workspace_id: w.id, file_id: f.id },
                    });
                    await rerender();
                  }),
                ),
              ]),
            ),
      ),
    );
  });
}
