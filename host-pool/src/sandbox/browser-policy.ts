/**
 * Where Chromium on Debian (and Chromium builds generally) reads mandatory policy; the sandbox
 * binds one generated file there, read-only.
 */
export const POLICY_DIR = '/etc/chromium/policies/managed';

/**
 * Pages of the browser itself that a session keeps: the new-tab page a fresh session opens, and
 * the browser's own interface pieces drawn with web pages (`*.top-chrome`: the address bar's
 * suggestions, tab search; a URL pattern's host matches its subdomains). Every other chrome://
 * page (settings, flags, net-export, inspect, policy, version …) is refused.
 */
export const ALLOWED_BROWSER_PAGES: readonly string[] = [
  'chrome://newtab',
  'chrome://new-tab-page',
  'chrome://new-tab-page-third-party',
  'chrome://top-chrome',
  'chrome-untrusted://top-chrome',
];

/**
 * The enterprise policy of a sandboxed session's browser. It is the browser's own layer on top of
 * the filesystem view: even the parts of the system the view shows (read-only /usr, the fonts)
 * cannot be opened as `file://` pages, the browser's internal pages stay closed, and downloads go
 * to the session's downloads folder without a prompt (a person cannot pick another folder).
 */
export function browserPolicy(options: { readonly downloadDir: string }): Record<string, unknown> {
  return {
    URLBlocklist: ['file://*', 'chrome://*', 'chrome-untrusted://*'],
    URLAllowlist: [...ALLOWED_BROWSER_PAGES],
    DownloadDirectory: options.downloadDir,
    PromptForDownloadLocation: false,
    // Google's recommended value: refuse downloads Safe Browsing knows to be malicious, keep the rest.
    DownloadRestrictions: 4,
    // Uploads reach pages through the page's own file chooser (DevTools fills it).
    AllowFileSelectionDialogs: true,
    // No "unsupported command-line flag" or default-browser bars over the page people see.
    CommandLineFlagSecurityWarningsEnabled: false,
    DefaultBrowserSettingEnabled: false,
    MetricsReportingEnabled: false,
    PromotionalTabsEnabled: false,
    // Passwords typed or injected (credential bindings) are never stored in the session's profile,
    // which is saved to the artifact store; and no "Save password?" bubble covers the page a person
    // takes over.
    PasswordManagerEnabled: false,
  };
}
