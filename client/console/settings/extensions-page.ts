/**
 * Settings › Extensions: unpacked Chromium extensions (upload a ZIP, approve, delete). Sessions
 * and workflow versions may name approved ones; their browsers load them.
 */
import type { Api } from '@browserpane/api';
import { clear, h, timeAgo } from '../dom.ts';
import { action, bytes, field, table } from './common.ts';

export async function renderExtensions(root: HTMLElement, api: Api): Promise<void> {
  const rerender = () => renderExtensions(root, api);
  const { extensions } = await api.listExtensions();
  clear(root);
  const error = h('p.error.form-error', { 'data-testid': 'settings-error' });
  const picker = h<'input'>('input', {
    type: 'file',
    accept: '.zip,application/zip',
    'data-testid': 'extension-file',
    'aria-label': 'Extension ZIP',
  });
  root.append(
    h('h2', { text: 'Extensions' }),
    h('p.hint', {
      text: 'Manifest V3 extensions, zipped. An uploaded extension waits for your approval; only approved ones load into sessions.',
    }),
    h(
      'div.start-form',
      {},
      field('Extension (ZIP)', picker),
      h(
        'div.actions',
        {},
        action('button.primary', 'upload-extension', 'Upload', error, async () => {
          const file = picker.files?.[0];
          if (!file) throw new Error('Pick a ZIP first.');
          await api.uploadExtension(
            { body: file, contentType: 'application/zip' },
            { timeoutMs: 120_000 },
          );
          await rerender();
        }),
      ),
      error,
    ),
    extensions.length === 0
      ? h('p.empty', { text: 'No extensions yet.' })
      : table(
          'extension-list',
          ['Name', 'Version', 'State', 'Size', 'Added', ''],
          extensions.map((x) => [
            h('span', { text: x.name, title: x.description ?? '' }),
            h('span', { text: x.version }),
            h(`span.pill.extension-${x.state}`, { text: x.state.replace(/_/g, ' ') }),
            h('span', { text: bytes(x.size) }),
            h('span', { text: timeAgo(x.created_at) }),
            h(
              'span.row-actions',
              {},
              ...(x.state === 'pending_approval'
                ? [
                    action('button.primary', `approve-${x.name}`, 'Approve', error, async () => {
                      await api.approveExtension({ params: { extension_id: x.id } });
                      await rerender();
                    }),
                  ]
                : []),
              action('button.danger', `delete-extension-${x.name}`, 'Delete', error, async () => {
                if (!window.confirm(`Delete the extension ${x.name}?`)) return;
                await api.deleteExtension({ params: { extension_id: x.id } });
                await rerender();
              }),
            ),
          ]),
        ),
  );
}
