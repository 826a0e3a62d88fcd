import { prepareDecodeWorker } from '../src/index.ts';
import { ApiError, consoleApi, type SessionResource } from './api.ts';
import {
  type AuthConfig,
  completeSignIn,
  currentSession,
  loadAuthConfig,
  signIn,
  signOut,
} from './auth.ts';
import { clear, h } from './dom.ts';
import { DECODE_WORKER_URL, LiveView } from './live-view.ts';
import { SessionList, sessionName } from './session-list.ts';
import {
  isSettingsSection,
  renderSettingsPage,
  renderSettingsSidebar,
  type SettingsSection,
} from './settings/settings-panel.ts';
import { RunPage } from './workflows/run-page.ts';
import {
  renderWorkflowPage,
  renderWorkflowSidebar,
  type WorkflowSelection,
} from './workflows/workflows-panel.ts';

/** The console: sign in, your sessions (start, join, share) and your workflows and runs. */
async function main(): Promise<void> {
  const app = document.getElementById('app') as HTMLElement;
  let config: AuthConfig;
  try {
    config = await loadAuthConfig();
    await completeSignIn(config);
  } catch (err) {
    app.replaceChildren(h('div.center', {}, h('p.error', { text: (err as Error).message })));
    return;
  }
  const session = currentSession();
  if (!session) return showLogin(app, config);
  showApp(app, config, session.name);
}

function showLogin(app: HTMLElement, config: AuthConfig): void {
  app.replaceChildren(
    h(
      'div.login',
      {},
      h('div.brand.large', {}, h('span.logo'), 'BrowserPane'),
      h('p', { text: 'A real browser you can share, watch and hand to automation.' }),
      h(
        'button.primary',
        { onclick: () => void signIn(config), 'data-testid': 'sign-in' },
        'Sign in',
      ),
    ),
  );
}

function showApp(app: HTMLElement, config: AuthConfig, userName: string): void {
  // the first live view's decoder is ready before it is needed (starting one can take a second
  // on a busy machine, and the first picture would wait for it)
  prepareDecodeWorker(DECODE_WORKER_URL);
  const api = consoleApi(() => currentSession()?.accessToken);
  const params = new URLSearchParams(location.search);
  let selected = params.get('session') ?? undefined;
  const role = params.get('role') === 'viewer' ? 'viewer' : 'owner';
  let live: LiveView | undefined;
  let sessions: SessionResource[] = [];

  let mode: Mode =
    params.get('view') === 'settings'
      ? 'settings'
      : params.get('view') === 'workflows' || params.has('run') || params.has('workflow')
        ? 'workflows'
        : 'sessions';
  let section: SettingsSection = isSettingsSection(params.get('section'))
    ? (params.get('section') as SettingsSection)
    : 'workspaces';
  const picked: WorkflowSelection = {
    ...(params.get('workflow') ? { workflow: params.get('workflow') as string } : {}),
    ...(params.get('run') ? { run: params.get('run') as string } : {}),
  };
  let runPage: RunPage | undefined;

  const list = new SessionList({
    select: (id) => void select(id),
    rename: async (id, name) => {
      try {
        const renamed = await api.updateSession({
          params: { session_id: id },
          body: { display_name: name },
        });
        sessions = sessions.map((s) => (s.id === id ? renamed : s));
        list.update(sessions, selected);
        if (id === selected) live?.rename(sessionName(renamed));
      } catch (err) {
        window.alert(`Could not rename: ${(err as Error).message}`);
      }
    },
    remove: async (id) => {
      try {
        await api.deleteSession({ params: { session_id: id }, query: { purge: 'true' } });
        sessions = sessions.filter((s) => s.id !== id);
        if (id === selected) {
          selected = undefined;
          closePages();
          history.replaceState(null, '', '/');
          placeholder(
            'Pick a session or start a new one',
            'Everyone you share a session with sees the same live browser.',
          );
        }
        list.update(sessions, selected);
      } catch (err) {
        window.alert(`Could not delete: ${(err as Error).message}`);
      }
    },
  });
  const workflowList = h('nav.sessions.workflows', { 'data-testid': 'workflow-list' });
  const settingsList = h('nav.sessions.settings', { 'data-testid': 'settings-list' });
  const main = h('main.main');
  const newButton = h(
    'button.primary.wide',
    { onclick: () => void start(), 'data-testid': 'new-session' },
    'Start new session',
  );
  const tab = (name: Mode, label: string) =>
    h(
      `button.tab${mode === name ? '.selected' : ''}`,
      { 'data-testid': `tab-${name}`, onclick: () => switchTo(name) },
      label,
    );
  const tabs = h('div.tabs');
  const sessionsPane = h('div.pane', {}, newButton, list.element);
  const renderTabs = () => {
    tabs.replaceChildren(
      tab('sessions', 'Sessions'),
      tab('workflows', 'Workflows'),
      tab('settings', 'Settings'),
    );
    sessionsPane.hidden = mode !== 'sessions';
    workflowList.hidden = mode !== 'workflows';
    settingsList.hidden = mode !== 'settings';
  };
  app.replaceChildren(
    h(
      'header.topbar',
      {},
      h('div.brand', {}, h('span.logo'), 'BrowserPane'),
      h('span.spacer'),
      h('span.user', { text: userName }),
      h(
        'button.ghost',
        {
          onclick: () => {
            signOut();
            showLogin(app, config);
          },
        },
        'Sign out',
      ),
    ),
    h('div.body', {}, h('aside.sidebar', {}, tabs, sessionsPane, workflowList, settingsList), main),
  );
  renderTabs();

  const closePages = () => {
    live?.dispose();
    live = undefined;
    runPage?.dispose();
    runPage = undefined;
  };
  const placeholder = (title: string, text: string) => {
    clear(main);
    main.append(h('div.placeholder', {}, h('h2', { text: title }), h('p', { text })));
  };
  const openSettings = (next: SettingsSection) => {
    closePages();
    section = next;
    history.replaceState(null, '', `/?view=settings&section=${next}`);
    renderSettingsSidebar(settingsList, section, openSettings);
    renderSettingsPage(main, api, section);
  };
  const switchTo = (next: Mode) => {
    if (next === mode) return;
    mode = next;
    closePages();
    renderTabs();
    if (mode === 'settings') return openSettings(section);
    if (mode === 'workflows') {
      history.replaceState(null, '', '/?view=workflows');
      delete picked.run;
      delete picked.workflow;
      placeholder(
        'Pick a workflow or a run',
        'Start runs, follow them, and answer them when they wait for you.',
      );
    } else {
      history.replaceState(null, '', '/');
      selected = undefined;
      placeholder(
        'Pick a session or start a new one',
        'Everyone you share a session with sees the same live browser.',
      );
    }
    void refresh();
  };
  const openWorkflow = (id: string) => {
    closePages();
    picked.workflow = id;
    delete picked.run;
    history.replaceState(null, '', `/?workflow=${encodeURIComponent(id)}`);
    void renderWorkflowPage(main, api, id, (run) => openRun(run.id)).catch((err: Error) =>
      main.replaceChildren(h('div.placeholder', {}, h('p.error', { text: err.message }))),
    );
    void refresh();
  };
  const openRun = (id: string) => {
    closePages();
    picked.run = id;
    history.replaceState(null, '', `/?run=${encodeURIComponent(id)}`);
    runPage = new RunPage(api, id, main, () => void refresh());
    void refresh();
  };

  const refreshWorkflows = async () => {
    const [workflows, runs] = await Promise.all([
      api.listWorkflowDefinitions(),
      api.listWorkflowRuns({ query: { limit: 30 } }),
    ]);
    renderWorkflowSidebar(workflowList, workflows.workflows, runs.runs, picked, {
      workflow: openWorkflow,
      run: openRun,
    });
  };

  const refresh = async () => {
    try {
      if (mode === 'workflows') return await refreshWorkflows();
      if (mode === 'settings') return;
      sessions = (await api.listSessions()).sessions;
      list.update(sessions, selected);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        signOut();
        return showLogin(app, config);
      }
      list.showError((err as Error).message);
    }
  };

  const select = async (id: string, wanted: 'owner' | 'viewer' = 'owner') => {
    selected = id;
    closePages();
    // what this person may do here: a session shared as viewer opens as a viewer
    let resource: SessionResource | undefined;
    try {
      resource = await api.getSession({ params: { session_id: id } });
    } catch (err) {
      if (selected !== id) return;
      main.replaceChildren(
        h('div.placeholder', {}, h('p.error', { text: (err as Error).message })),
      );
      return;
    }
    if (selected !== id) return;
    const access = resource.access;
    const as = access === 'viewer' ? 'viewer' : wanted;
    history.replaceState(
      null,
      '',
      `/?session=${encodeURIComponent(id)}${as === 'viewer' ? '&role=viewer' : ''}`,
    );
    live = new LiveView({
      api,
      sessionId: id,
      role: as,
      access,
      name: sessionName(resource),
      root: main,
      // the picture can come before the host's report that the session runs reaches the edge:
      // the list asks again a moment later, not only at its next 5 s round
      onStateChange: () => {
        void refresh();
        setTimeout(() => void refresh(), 1_000);
      },
    });
    list.update(sessions, selected);
  };

  /** A share link (`/?share=<secret>`): redeem it, drop the secret from the address, open it. */
  const redeem = async (token: string) => {
    history.replaceState(null, '', '/');
    try {
      const share = await api.redeemShareLink({ body: { token } });
      await refresh();
      await select(share.session_id, share.role === 'viewer' ? 'viewer' : 'owner');
    } catch (err) {
      main.replaceChildren(
        h('div.placeholder', {}, h('p.error', { text: (err as Error).message })),
      );
    }
  };

  const start = async () => {
    newButton.setAttribute('disabled', '');
    try {
      const rect = main.getBoundingClientRect();
      const dpr = devicePixelRatio || 1;
      const viewport = {
        width: clampSize(Math.round(rect.width * dpr), 640, 1920),
        height: clampSize(Math.round((rect.height - 48) * dpr), 480, 1200),
      };
      const created = await api.createSession({ body: { viewport } });
      sessions = [created, ...sessions];
      await select(created.id);
    } catch (err) {
      main.replaceChildren(
        h('div.placeholder', {}, h('p.error', { text: (err as Error).message })),
      );
    } finally {
      newButton.removeAttribute('disabled');
    }
  };

  const shareToken = params.get('share');
  if (shareToken) void redeem(shareToken);
  else if (mode === 'settings') openSettings(section);
  else if (mode === 'workflows') {
    if (picked.run) openRun(picked.run);
    else if (picked.workflow) openWorkflow(picked.workflow);
    else
      placeholder(
        'Pick a workflow or a run',
        'Start runs, follow them, and answer them when they wait for you.',
      );
  } else if (selected) void select(selected, role);
  else
    placeholder(
      'Pick a session or start a new one',
      'Everyone you share a session with sees the same live browser.',
    );
  void refresh();
  setInterval(() => void refresh(), 5000);
}

type Mode = 'sessions' | 'workflows' | 'settings';

function clampSize(v: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, v - (v % 2)));
}

void main();
