/**
 * Settings › Webhooks: signed run-lifecycle subscriptions (create, delete) and their deliveries
 * with every attempt. The signing secret is shown once, right after creation.
 */
import type { Api } from '@browserpane/api';
import { clear, h, timeAgo } from '../dom.ts';
import { action, field, input, table } from './common.ts';

export async function renderWebhooks(
  root: HTMLElement,
  api: Api,
  shownSecret?: string,
): Promise<void> {
  const rerender = (secret?: string) => renderWebhooks(root, api, secret);
  const { subscriptions } = await api.listWorkflowEventSubscriptions();
  clear(root);
  const error = h('p.error.form-error', { 'data-testid': 'settings-error' });
  const name = input('webhook-name', 'Name', { placeholder: 'billing system' });
  const target = input('webhook-url', 'Target URL', {
    placeholder: 'https://hooks.example.com/runs',
  });
  const events = input('webhook-events', 'Event types', { value: 'workflow_run.*' });
  const deliveries = h('div', { 'data-testid': 'webhook-deliveries' });
  root.append(
    h('h2', { text: 'Webhooks' }),
    h('p.hint', {
      text: 'Run events are posted to your URL signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature), retried with backoff until they are delivered or dead.',
    }),
    h(
      'div.start-form',
      {},
      field('Name', name),
      field('Target URL', target),
      field('Event types (space-separated)', events),
      h(
        'div.actions',
        {},
        action('button.primary', 'create-webhook', 'Create webhook', error, async () => {
          const created = await api.createWorkflowEventSubscription({
            body: {
              name: name.value.trim(),
              target_url: target.value.trim(),
              event_types: events.value.split(/[\s,]+/).filter(Boolean),
            },
          });
          await rerender(created.signing_secret);
        }),
      ),
      error,
    ),
    ...(shownSecret
      ? [
          h(
            'div.secret-once',
            {},
            h('strong', { text: 'Signing secret — copy it now, it is not shown again:' }),
            h('code', { 'data-testid': 'webhook-secret', text: shownSecret }),
          ),
        ]
      : []),
    subscriptions.length === 0
      ? h('p.empty', { text: 'No webhooks yet.' })
      : table(
          'webhook-list',
          ['Name', 'Target', 'Events', 'Added', ''],
          subscriptions.map((s) => [
            h('span', { text: s.name }),
            h('code', { text: s.target_url }),
            h('span', { text: s.event_types.join(' ') }),
            h('span', { text: timeAgo(s.created_at) }),
            h(
              'span.row-actions',
              {},
              action('button', `deliveries-${s.name}`, 'Deliveries', error, async () => {
                const list = await api.listWorkflowEventDeliveries({
                  params: { subscription_id: s.id },
                  query: { limit: 50 },
                });
                deliveries.replaceChildren(
                  h('h3', { text: `Deliveries of ${s.name}` }),
                  list.deliveries.length === 0
                    ? h('p.empty', { text: 'Nothing delivered yet.' })
                    : table(
                        'delivery-list',
                        ['Event', 'State', 'Attempts', 'Last answer', 'Last error', 'When'],
                        list.deliveries.map((d) => [
                          h('span', { text: d.event_type }),
                          h(`span.pill.delivery-${d.state}`, { text: d.state }),
                          h('span', {
                            text: `${d.attempt_count} of ${d.attempt_limit}`,
                            title: d.attempts
                              .map(
                                (a) =>
                                  `#${a.attempt_number}: ${a.response_status ?? a.error ?? '…'}`,
                              )
                              .join('\n'),
                          }),
                          h('span', {
                            text: d.last_response_status ? `HTTP ${d.last_response_status}` : '—',
                          }),
                          h('span', { text: d.last_error ?? '—' }),
                          h('span', { text: timeAgo(d.created_at) }),
                        ]),
                      ),
                );
              }),
              action('button.danger', `delete-webhook-${s.name}`, 'Delete', error, async () => {
                if (!window.confirm(`Delete the webhook ${s.name}?`)) return;
                await api.deleteWorkflowEventSubscription({ params: { subscription_id: s.id } });
                await rerender();
              }),
            ),
          ]),
        ),
    deliveries,
  );
}
