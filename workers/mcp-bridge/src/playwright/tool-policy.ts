import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/**
 * The Playwright MCP tools a shared, governed session may be driven with: navigation, input,
 * the accessibility snapshot, screenshots, page-side evaluation, tabs, waits and read-only
 * diagnostics. Left out on purpose: `browser_close` and `browser_resize` (they change the browser
 * for the people watching; the display size is theirs), `browser_emulate_media`,
 * `browser_run_code_unsafe` (runs code in the bridge's own process), and `browser_file_upload` /
 * `browser_drop` (they read files from the bridge's disk).
 */
export const ALLOWED_TOOLS: ReadonlySet<string> = new Set([
  'browser_navigate',
  'browser_navigate_back',
  'browser_click',
  'browser_type',
  'browser_press_key',
  'browser_hover',
  'browser_select_option',
  'browser_fill_form',
  'browser_drag',
  'browser_snapshot',
  'browser_find',
  'browser_take_screenshot',
  'browser_evaluate',
  'browser_tabs',
  'browser_wait_for',
  'browser_handle_dialog',
  'browser_console_messages',
  'browser_network_requests',
  'browser_network_request',
]);

/** Whether `name` may be called on a BrowserPane session. */
export function isAllowedTool(name: string): boolean {
  return ALLOWED_TOOLS.has(name);
}

/** The subset of a tool list the bridge offers. */
export function allowedTools(tools: readonly Tool[]): Tool[] {
  return tools.filter((t) => isAllowedTool(t.name));
}
