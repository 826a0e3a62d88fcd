import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log.ts';
import { PlaywrightMcp } from './playwright-mcp.ts';
import { allowedTools } from './tool-policy.ts';

/**
 * The browser tools the bridge offers, as Playwright MCP declares them (names, descriptions,
 * input schemas), filtered by the tool policy. Read once from a Playwright MCP that never attaches
 * (listing tools does not touch a browser), so `tools/list` works before any session is delegated.
 */
export class ToolCatalog {
  private tools: Promise<Tool[]> | undefined;

  constructor(private readonly log: Logger) {}

  list(): Promise<Tool[]> {
    this.tools ??= (async () => {
      const probe = new PlaywrightMcp({ cdpEndpoint: 'http://127.0.0.1:9/', log: this.log });
      try {
        return allowedTools(await probe.listTools());
      } finally {
        await probe.stop();
      }
    })().catch((err: unknown) => {
      this.tools = undefined;
      throw err;
    });
    return this.tools;
  }
}
