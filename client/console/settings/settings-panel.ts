/**
 * The console's settings side: the sidebar names the resources runs use (workspaces, credentials,
 * extensions, webhooks); each has its page.
 */
import type { Api } from '@browserpane/api';
import { clear, h } from '../dom.ts';
import { renderCredentials } from './credentials-page.ts';
import { renderExtensions } from './extensions-page.ts';
import { renderWebhooks } from './webhooks-page.ts';
import { renderWorkspaces } from './workspaces-page.ts';

export const SETTINGS_SECTIONS = {
  workspaces: { label: 'File workspaces', render: renderWorkspaces },
  credentials: { label: 'Credentials', render: renderCredentials },
  extensions: { label: 'Extensions', render: renderExtensions },
  webhooks: { label: 'Webhooks', render: renderWebhooks },
} as const;

export type SettingsSection = keyof typeof SETTINGS_SECTIONS;

export function isSettingsSection(s: string | null): s is SettingsSection {
  return s !== null && s in SETTINGS_SECTIONS;
}

export function renderSettingsSidebar(
  root: HTMLElement,
  selected: SettingsSection,
  open: (s: SettingsSection) => void,
): void {
  clear(root);
  root.append(h('h4.sidebar-title', { text: 'Settings' }));
  for (const [key, s] of Object.entries(SETTINGS_SECTIONS))
    root.append(
      h(
        `button.session-item${key === selected ? '.selected' : ''}`,
        { 'data-settings': key, onclick: () => open(key as SettingsSection) },
        h('span.session-name', { text: s.label }),
      ),
    );
}

/** Renders a section's page into `main` (a failure to load shows as an error there). */
export function renderSettingsPage(main: HTMLElement, api: Api, section: SettingsSection): void {
  clear(main);
  const page = h('div.workflow-page.settings-page', { 'data-testid': `settings-${section}` });
  main.append(page);
  void SETTINGS_SECTIONS[section]
    .render(page, api)
    .catch((err: Error) => page.replaceChildren(h('p.error', { text: err.message })));
}
