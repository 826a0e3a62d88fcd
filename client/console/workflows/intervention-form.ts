/**
 * The form a person answers a waiting run with: the request's prompt, one field per property of
 * its input schema (or a JSON box), and Submit / Resume / Reject. Opening the run's live view is
 * the run page's business (the form says so).
 */
import type { Api, WorkflowRun } from '@browserpane/api';
import { h } from '../dom.ts';

interface SchemaProperty {
  type?: string;
  description?: string;
  title?: string;
  pattern?: string;
}

function properties(schema: unknown): [string, SchemaProperty][] | null {
  const s = schema as { type?: string; properties?: Record<string, SchemaProperty> } | null;
  if (s?.type !== 'object' || !s.properties) return null;
  const entries = Object.entries(s.properties);
  return entries.length > 0 &&
    entries.every(([, p]) => ['string', 'number', 'integer', 'boolean'].includes(p?.type ?? ''))
    ? entries
    : null;
}

export function interventionForm(
  api: Api,
  run: WorkflowRun,
  onDone: (run: WorkflowRun) => void,
  openLiveView: () => void,
): HTMLElement {
  const request = run.intervention.pending_request;
  if (!request) return h('div');
  const error = h('p.error.form-error', { 'data-testid': 'intervention-error' });
  const fields = properties(request.input_schema);
  const inputs = new Map<string, HTMLInputElement>();
  const json = h<'textarea'>('textarea.json-input', {
    rows: 4,
    placeholder: '{ }',
    'aria-label': 'Answer (JSON)',
    'data-testid': 'intervention-json',
  });
  const body = fields
    ? h(
        'div.fields',
        {},
        ...fields.map(([name, p]) => {
          const input = h<'input'>('input', {
            name,
            type: p.type === 'boolean' ? 'checkbox' : p.type === 'string' ? 'text' : 'number',
            autocomplete: 'off',
            'data-testid': `intervention-field-${name}`,
            ...(p.pattern ? { pattern: p.pattern } : {}),
          });
          inputs.set(name, input);
          return h('label.field', {}, h('span', { text: p.title ?? p.description ?? name }), input);
        }),
      )
    : json;
  const answer = (): unknown => {
    if (!fields) return json.value.trim() ? JSON.parse(json.value) : null;
    const out: Record<string, unknown> = {};
    for (const [name, p] of fields) {
      const input = inputs.get(name) as HTMLInputElement;
      if (p.type === 'boolean') out[name] = input.checked;
      else if (input.value !== '')
        out[name] = p.type === 'string' ? input.value : Number(input.value);
    }
    return out;
  };
  const act = async (what: () => Promise<WorkflowRun>) => {
    error.textContent = '';
    for (const b of buttons) b.setAttribute('disabled', '');
    try {
      onDone(await what());
    } catch (e) {
      error.textContent = (e as Error).message.replace(/^[A-Z]+ \S+: /, '');
    } finally {
      for (const b of buttons) b.removeAttribute('disabled');
    }
  };
  const reason = h<'input'>('input.reject-reason', {
    placeholder: 'Reason to reject',
    'aria-label': 'Reason to reject',
  });
  const buttons = [
    h(
      'button.primary',
      {
        'data-testid': 'intervention-submit',
        onclick: () =>
          void act(async () => {
            let input: unknown;
            try {
              input = answer();
            } catch {
              throw new Error('the answer is not valid JSON');
            }
            return api.submitWorkflowRunInput({ params: { run_id: run.id }, body: { input } });
          }),
      },
      'Submit',
    ),
    h(
      'button',
      {
        'data-testid': 'intervention-resume',
        title: 'Go on without an answer (you fixed things in the live view)',
        onclick: () =>
          void act(() => api.resumeWorkflowRun({ params: { run_id: run.id }, body: {} })),
      },
      'Resume',
    ),
    h(
      'button.danger',
      {
        'data-testid': 'intervention-reject',
        onclick: () =>
          void act(async () => {
            if (!reason.value.trim()) throw new Error('say why you reject it');
            return api.rejectWorkflowRun({
              params: { run_id: run.id },
              body: { reason: reason.value.trim() },
            });
          }),
      },
      'Reject',
    ),
  ];
  return h(
    'section.intervention',
    { 'data-testid': 'intervention' },
    h('h3', { text: 'Waiting for you' }),
    h('p.prompt', {
      text: request.prompt ?? 'The run asks for input.',
      'data-testid': 'intervention-prompt',
    }),
    h(
      'p.hint',
      {},
      `Kind ${request.kind} · the browser is held (${request.hold.mode.replace('_', ' ')}) until ${new Date(request.hold.hold_until).toLocaleTimeString()}. `,
      h(
        'button.link',
        { onclick: openLiveView, 'data-testid': 'open-run-live-view' },
        'Open the live view',
      ),
      ' to see or fix the page by hand.',
    ),
    body,
    h('div.actions', {}, ...buttons.slice(0, 2), reason, buttons[2]),
    error,
  );
}
