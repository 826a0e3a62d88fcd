/**
 * The workflows side of the console: the sidebar lists definitions and recent runs (a run waiting
 * for a person stands out); a definition's page shows its versions and starts a run with JSON
 * input, on a new session or one of yours.
 */
import type { Api, WorkflowDefinition, WorkflowRun } from '@browserpane/api';
import { clear, h, timeAgo } from '../dom.ts';
import { statePill } from './run-format.ts';

export interface WorkflowSelection {
  workflow?: string;
  run?: string;
}

export function renderWorkflowSidebar(
  root: HTMLElement,
  workflows: readonly WorkflowDefinition[],
  runs: readonly WorkflowRun[],
  selected: WorkflowSelection,
  on: { workflow(id: string): void; run(id: string): void },
): void {
  clear(root);
  root.append(h('h4.sidebar-title', { text: 'Workflows' }));
  if (workflows.length === 0)
    root.append(
      h('p.empty', {
        text: 'No workflows yet. Publish one with the API or `npx browserpane workflow create`.',
      }),
    );
  for (const w of workflows)
    root.append(
      h(
        `button.session-item${w.id === selected.workflow ? '.selected' : ''}`,
        { 'data-workflow': w.id, onclick: () => on.workflow(w.id), title: w.id },
        h('span.session-name', { text: w.name }),
        h('span.pill', { text: w.latest_version ?? 'no version' }),
      ),
    );
  root.append(h('h4.sidebar-title', { text: 'Runs' }));
  if (runs.length === 0) root.append(h('p.empty', { text: 'No runs yet.' }));
  const names = new Map(workflows.map((w) => [w.id, w.name]));
  for (const r of runs)
    root.append(
      h(
        `button.session-item${r.id === selected.run ? '.selected' : ''}${r.state === 'awaiting_input' ? '.attention' : ''}`,
        { 'data-run': r.id, onclick: () => on.run(r.id), title: r.id },
        h('span.session-name', {
          text: `${names.get(r.workflow_definition_id) ?? 'run'} ${r.workflow_version}`,
        }),
        statePill(r.state),
        h('span.session-meta', { text: `…${r.id.slice(-12)} · ${timeAgo(r.created_at)}` }),
      ),
    );
}

/** A definition: its versions and the start-a-run form. */
export async function renderWorkflowPage(
  root: HTMLElement,
  api: Api,
  workflowId: string,
  onStarted: (run: WorkflowRun) => void,
): Promise<void> {
  clear(root);
  const [workflow, versions, sessions] = await Promise.all([
    api.getWorkflowDefinition({ params: { workflow_id: workflowId } }),
    api.listWorkflowDefinitionVersions({ params: { workflow_id: workflowId } }),
    api.listSessions(),
  ]);
  const versionSelect = h<'select'>(
    'select',
    { 'data-testid': 'run-version', 'aria-label': 'Version' },
    ...versions.versions.map((v) =>
      h('option', { value: v.version, text: `${v.version} (${v.executor} ${v.entrypoint})` }),
    ),
  );
  const running = sessions.sessions.filter(
    (s) => !['stopped', 'failed', 'deleted'].includes(s.state),
  );
  const sessionSelect = h<'select'>(
    'select',
    { 'data-testid': 'run-session', 'aria-label': 'Session' },
    h('option', { value: '', text: 'A new session' }),
    ...running.map((s) =>
      h('option', {
        value: s.id,
        text: `${s.labels?.name ?? `Session ${s.id.slice(0, 8)}`} (${s.state})`,
      }),
    ),
  );
  const error = h('p.error.form-error', { 'data-testid': 'start-error' });
  const input = h<'textarea'>('textarea.json-input', {
    oninput: () => {
      error.textContent = '';
    },
    rows: 6,
    placeholder: '{ }',
    'data-testid': 'run-input',
    'aria-label': 'Input (JSON)',
  });
  const start = h(
    'button.primary',
    {
      'data-testid': 'start-run',
      onclick: async () => {
        error.textContent = '';
        let value: unknown;
        try {
          value = input.value.trim() ? JSON.parse(input.value) : undefined;
        } catch {
          error.textContent = 'The input is not valid JSON.';
          return;
        }
        start.setAttribute('disabled', '');
        try {
          const run = await api.createWorkflowRun({
            body: {
              workflow_id: workflowId,
              version: versionSelect.value,
              ...(value !== undefined ? { input: value } : {}),
              ...(sessionSelect.value
                ? { session: { existing_session_id: sessionSelect.value } }
                : {}),
            },
          });
          onStarted(run);
        } catch (e) {
          error.textContent = (e as Error).message.replace(/^[A-Z]+ \S+: /, '');
        } finally {
          start.removeAttribute('disabled');
        }
      },
    },
    'Start run',
  );
  root.append(
    h(
      'div.workflow-page',
      { 'data-testid': 'workflow-page' },
      h('h2', { text: workflow.name }),
      ...(workflow.description ? [h('p', { text: workflow.description })] : []),
      h('h3', { text: 'Versions' }),
      versions.versions.length === 0
        ? h('p.empty', { text: 'No versions yet.' })
        : h(
            'table.versions',
            {},
            h(
              'tr',
              {},
              ...['Version', 'Executor', 'Entrypoint', 'Source', 'Snapshot', 'Published'].map((t) =>
                h('th', { text: t }),
              ),
            ),
            ...versions.versions.map((v) =>
              h(
                'tr',
                {},
                h('td', { text: v.version }),
                h('td', { text: v.executor }),
                h('td', { text: v.entrypoint }),
                h('td', {
                  text: v.source
                    ? `${v.source.repository_url} @ ${v.source.resolved_commit?.slice(0, 12) ?? ''}`
                    : 'inline',
                }),
                h('td', { text: v.snapshot.state }),
                h('td', { text: timeAgo(v.created_at) }),
              ),
            ),
          ),
      ...(versions.versions.length === 0
        ? []
        : [
            h('h3', { text: 'Start a run' }),
            h(
              'div.start-form',
              {},
              h('label.field', {}, h('span', { text: 'Version' }), versionSelect),
              h('label.field', {}, h('span', { text: 'Session' }), sessionSelect),
              h('label.field', {}, h('span', { text: 'Input (JSON)' }), input),
              h('div.actions', {}, start),
              error,
            ),
          ]),
    ),
  );
}
