/**
 * Settings › Credentials: the person's credential bindings (create, delete). A secret is typed
 * once into the form, sent, and never shown again: the list has names, kinds, origins and a
 * fingerprint only (no route returns a secret).
 */
import type { Api } from '@browserpane/api';
import { clear, h, timeAgo } from '../dom.ts';
import { action, field, input, table } from './common.ts';

export async function renderCredentials(root: HTMLElement, api: Api): Promise<void> {
  const rerender = () => renderCredentials(root, api);
  const { credential_bindings: bindings } = await api.listCredentialBindings();
  clear(root);
  const error = h('p.error.form-error', { 'data-testid': 'settings-error' });
  const name = input('credential-name', 'Name', { placeholder: 'shop-login' });
  const kind = h<'select'>(
    'select',
    { 'data-testid': 'credential-kind', 'aria-label': 'Kind' },
    h('option', {
      value: 'password',
      text: 'Login (user name and password, filled by the worker)',
    }),
    h('option', { value: 'secret', text: 'Secret value (read by the run, redacted everywhere)' }),
  );
  const origins = input('credential-origins', 'Allowed origins', {
    placeholder: 'https://shop.example.com',
  });
  const user = input('credential-username', 'User name', { autocomplete: 'off' });
  const secret = input('credential-secret', 'Password or value', {
    type: 'password',
    autocomplete: 'new-password',
  });
  const userField = field('User name', user);
  kind.addEventListener('change', () => {
    userField.hidden = kind.value !== 'password';
  });
  root.append(
    h('h2', { text: 'Credentials' }),
    h('p.hint', {
      text: 'Stored encrypted. Runs you grant a credential use it by name; its secret never appears in logs, events, outputs or here.',
    }),
    h(
      'div.start-form',
      {},
      field('Name', name),
      field('Kind', kind),
      field('Allowed origins (space-separated)', origins),
      userField,
      field('Password or value', secret),
      h(
        'div.actions',
        {},
        action('button.primary', 'create-credential', 'Save credential', error, async () => {
          const allowed = origins.value.split(/[\s,]+/).filter(Boolean);
          await api.createCredentialBinding({
            body: {
              name: name.value.trim(),
              kind: kind.value as 'password' | 'secret',
              ...(allowed.length > 0 ? { allowed_origins: allowed } : {}),
              secret_payload:
                kind.value === 'password'
                  ? { username: user.value, password: secret.value }
                  : { value: secret.value },
            },
          });
          secret.value = '';
          await rerender();
        }),
      ),
      error,
    ),
  );
  root.append(
    bindings.length === 0
      ? h('p.empty', { text: 'No credentials yet.' })
      : table(
          'credential-list',
          ['Name', 'Kind', 'Used as', 'Allowed origins', 'Fingerprint', 'Added', ''],
          bindings.map((b) => [
            h('span', { text: b.name }),
            h('span.pill', { text: b.kind }),
            h('span', { text: b.injection_mode.replace(/_/g, ' ') }),
            h('span', { text: b.allowed_origins.join(' ') || 'any' }),
            h('code', {
              text: `${b.fingerprint.replace(/^[a-z0-9-]+:/, '').slice(0, 10)}…`,
              title: b.fingerprint,
            }),
            h('span', { text: timeAgo(b.created_at) }),
            action('button.danger', `delete-credential-${b.name}`, 'Delete', error, async () => {
              if (!window.confirm(`Delete the credential ${b.name}?`)) return;
              await api.deleteCredentialBinding({ params: { binding_id: b.id } });
              await rerender();
            }),
          ]),
        ),
  );
}
