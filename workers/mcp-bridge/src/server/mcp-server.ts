import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { asBridgeError, BridgeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ToolCatalog } from '../playwright/catalog.ts';
import { isAllowedTool } from '../playwright/tool-policy.ts';
import type { ManagedSession } from '../sessions/managed-session.ts';

export const BRIDGE_VERSION = '0.1.0';

/** The bridge's own tool: which session the tools drive, and whether people are watching. */
export const SESSION_TOOL: Tool = {
  name: 'browserpane_session',
  description:
    'Describe the BrowserPane session these browser tools drive: its id and state, how many people are watching it live, and whether each step is slowed down so they can follow.',
  inputSchema: { type: 'object', properties: {} },
  annotations: { title: 'BrowserPane session', readOnlyHint: true },
};

const INSTRUCTIONS =
  'Browser tools for a live BrowserPane session that people may be watching (and may take over). Steps are slowed down while someone watches. Use browser_snapshot to read the page before acting.';

/**
 * One MCP server (per client connection): `tools/list` is Playwright MCP's tool set as the policy
 * allows it plus `browserpane_session`; `tools/call` runs on the session `target` resolves to at
 * call time. Failures become tool errors (`isError`) with a stable code, never protocol errors.
 */
export function createMcpServer(
  target: () => Promise<ManagedSession>,
  catalog: ToolCatalog,
  log: Logger,
  /** Who this connection belongs to (logged with every call; never their token). */
  principal: string,
): Server {
  const server = new Server(
    { name: 'browserpane-mcp-bridge', version: BRIDGE_VERSION },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [...(await catalog.list()), SESSION_TOOL],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name } = request.params;
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    try {
      if (name !== SESSION_TOOL.name && !isAllowedTool(name))
        throw new BridgeError(
          'tool_not_allowed',
          `${name} is not available on a BrowserPane session`,
        );
      const session = await target();
      log.info('tool call', { tool: name, principal, sessionId: session.sessionId });
      if (name === SESSION_TOOL.name) {
        await session.refresh().catch(() => undefined);
        return { content: [{ type: 'text', text: JSON.stringify(session.info(), null, 2) }] };
      }
      return await session.call(name, args);
    } catch (err) {
      const e = asBridgeError(err);
      log.info('tool call failed', { tool: name, principal, code: e.code });
      return { isError: true, content: [{ type: 'text', text: `${e.code}: ${e.message}` }] };
    }
  });
  return server;
}
