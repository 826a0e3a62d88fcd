/**
 * `webhook list|create|get|delete|rotate-secret|deliveries|redeliver`: signed webhooks for run
 * lifecycle events. The signing secret is printed once (at create and rotate-secret), never again.
 */
import { intArg } from '../args.ts';
import { type Command, positionals, table, when } from '../command.ts';
import { UsageError } from '../errors.ts';
import { onePositional } from './workflows.ts';

export const webhookList: Command = {
  path: ['webhook', 'list'],
  summary: 'Your workflow event subscriptions (webhooks)',
  async run(ctx) {
    const list = await ctx.api().listWorkflowEventSubscriptions();
    ctx.print(list, () =>
      list.subscriptions.length === 0
        ? 'no webhooks'
        : table([
            ['ID', 'NAME', 'EVENTS', 'TARGET'],
            ...list.subscriptions.map((s) => [s.id, s.name, s.event_types.join(','), s.target_url]),
          ]),
    );
    return 0;
  },
};

export const webhookCreate: Command = {
  path: ['webhook', 'create'],
  summary: 'Subscribe a URL to run lifecycle events',
  details:
    'Deliveries follow the Standard Webhooks spec (webhook-id, webhook-timestamp, webhook-signature).\nThe signing secret (whsec_…) is printed this once: keep it where your receiver can read it.',
  options: {
    name: { kind: 'value', meta: 'name', help: 'a name for people (default: the URL)' },
    url: { kind: 'value', meta: 'url', help: 'where deliveries are posted (required)' },
    event: {
      kind: 'list',
      meta: 'type',
      help: 'an event type, e.g. workflow_run.succeeded, workflow_run.* (repeatable; default *)',
    },
    workflow: { kind: 'value', meta: 'workflow-id', help: "only this workflow's runs" },
  },
  async run(ctx) {
    const url = ctx.args.values.get('url');
    if (!url) throw new UsageError('webhook create needs --url');
    const workflow = ctx.args.values.get('workflow');
    const created = await ctx.api().createWorkflowEventSubscription({
      body: {
        name: ctx.args.values.get('name') ?? url.slice(0, 200),
        target_url: url,
        event_types: ctx.args.lists.get('event') ?? ['*'],
        ...(workflow ? { workflow_id: workflow } : {}),
      },
    });
    ctx.print(
      created,
      () =>
        `${created.id} ${created.target_url}\nsigning secret (shown once): ${created.signing_secret}`,
    );
    return 0;
  },
};

export const webhookGet: Command = {
  path: ['webhook', 'get'],
  positionals: ['<subscription-id>'],
  summary: 'One webhook',
  async run(ctx) {
    const s = await ctx.api().getWorkflowEventSubscription({
      params: { subscription_id: onePositional(ctx, webhookGet, 'a subscription id') },
    });
    ctx.print(s, () =>
      [
        `${s.id} ${s.name}`,
        `target: ${s.target_url}`,
        `events: ${s.event_types.join(', ')}`,
        ...(s.workflow_id ? [`workflow: ${s.workflow_id}`] : []),
        `secret rotated: ${when(s.secret_rotated_at)}`,
      ].join('\n'),
    );
    return 0;
  },
};

export const webhookDelete: Command = {
  path: ['webhook', 'delete'],
  positionals: ['<subscription-id>'],
  summary: 'Delete a webhook (and its delivery log)',
  async run(ctx) {
    const s = await ctx.api().deleteWorkflowEventSubscription({
      params: { subscription_id: onePositional(ctx, webhookDelete, 'a subscription id') },
    });
    ctx.print(s, () => `${s.id} deleted`);
    return 0;
  },
};

export const webhookRotate: Command = {
  path: ['webhook', 'rotate-secret'],
  positionals: ['<subscription-id>'],
  summary: 'Make a new signing secret (printed once)',
  details:
    'During the grace period deliveries carry signatures with both the old and the new secret.',
  options: {
    'grace-sec': {
      kind: 'value',
      meta: 's',
      help: "how long the old secret keeps signing (default: the edge's, 24 h)",
    },
  },
  async run(ctx) {
    const grace = ctx.args.values.get('grace-sec');
    const s = await ctx.api().rotateWorkflowEventSubscriptionSecret({
      params: { subscription_id: onePositional(ctx, webhookRotate, 'a subscription id') },
      body: grace ? { grace_period_sec: intArg('grace-sec', grace, 0, 604_800) } : {},
    });
    ctx.print(
      s,
      () =>
        `${s.id} new signing secret (shown once): ${s.signing_secret}\nold secret signs until: ${when(s.previous_secret_expires_at)}`,
    );
    return 0;
  },
};

export const webhookDeliveries: Command = {
  path: ['webhook', 'deliveries'],
  positionals: ['<subscription-id>'],
  summary: "A webhook's deliveries, newest first, with their attempts",
  options: {
    state: { kind: 'value', meta: 'state', help: 'pending, delivering, delivered or failed' },
    limit: { kind: 'value', meta: 'n', help: 'at most this many (default 100)' },
  },
  async run(ctx) {
    const state = ctx.args.values.get('state');
    if (state && !['pending', 'delivering', 'delivered', 'failed'].includes(state))
      throw new UsageError('--state must be pending, delivering, delivered or failed');
    const limit = ctx.args.values.get('limit');
    const list = await ctx.api().listWorkflowEventDeliveries({
      params: { subscription_id: onePositional(ctx, webhookDeliveries, 'a subscription id') },
      query: {
        ...(state ? { state: state as 'pending' } : {}),
        ...(limit ? { limit: intArg('limit', limit, 1, 500) } : {}),
      },
    });
    ctx.print(list, () =>
      list.deliveries.length === 0
        ? 'no deliveries'
        : table([
            ['ID', 'EVENT', 'STATE', 'ATTEMPTS', 'LAST', 'NEXT'],
            ...list.deliveries.map((d) => [
              d.id,
              d.event_type,
              d.state,
              `${d.attempt_count}/${d.attempt_limit}`,
              d.last_response_status ? `HTTP ${d.last_response_status}` : (d.last_error ?? '—'),
              when(d.next_attempt_at),
            ]),
          ]),
    );
    return 0;
  },
};

export const webhookRedeliver: Command = {
  path: ['webhook', 'redeliver'],
  positionals: ['<subscription-id>', '<delivery-id>'],
  summary: 'Send a delivery again (a new series of attempts)',
  async run(ctx) {
    const [subscription, delivery, extra] = positionals(ctx, webhookRedeliver);
    if (!subscription || !delivery)
      throw new UsageError('webhook redeliver needs a subscription id and a delivery id');
    if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
    const d = await ctx.api().redeliverWorkflowEventDelivery({
      params: { subscription_id: subscription, delivery_id: delivery },
    });
    ctx.print(d, () => `${d.id} ${d.state}`);
    return 0;
  },
};

export const WEBHOOK_COMMANDS = [
  webhookList,
  webhookCreate,
  webhookGet,
  webhookDelete,
  webhookRotate,
  webhookDeliveries,
  webhookRedeliver,
];
