import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { BridgeError } from '../errors.ts';
import type { Logger } from '../log.ts';

const require = createRequire(import.meta.url);

/** Path of `@playwright/mcp`'s CLI (run with this Node; it never downloads browsers here). */
export function playwrightMcpCli(): string {
  return join(dirname(require.resolve('@playwright/mcp/package.json')), 'cli.js');
}

export interface PlaywrightMcpOptions {
  /** The DevTools endpoint to attach to (may contain a secret: passed by environment). */
  cdpEndpoint: string;
  log: Logger;
  /** Words to blank out of the child's stderr before it is logged. */
  secrets?: string[];
}

/**
 * One `@playwright/mcp` server in its own process (stdio), attached over CDP to one browser. The
 * bridge does not re-implement browser tools: it forwards `tools/list` and `tools/call` here. The
 * child gets a minimal environment (none of the bridge's secrets) and a scratch working directory
 * for the files it writes (snapshots, screenshots), removed when it stops.
 */
export class PlaywrightMcp {
  private client: Client | undefined;
  private starting: Promise<Client> | undefined;
  private workDir: string | undefined;

  constructor(private readonly options: PlaywrightMcpOptions) {}

  get running(): boolean {
    return this.client !== undefined;
  }

  async listTools(): Promise<Tool[]> {
    const client = await this.connect();
    return (await client.listTools()).tools;
  }

  async callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const client = await this.connect();
    try {
      return (await client.callTool({ name, arguments: args })) as CallToolResult;
    } catch (err) {
      // The child died or broke the protocol: start a new one next time.
      if (!this.client) await this.stop();
      throw new BridgeError(
        'playwright_failed',
        `Playwright MCP failed: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  async stop(): Promise<void> {
    const client = this.client ?? (await this.starting?.catch(() => undefined));
    this.client = undefined;
    this.starting = undefined;
    await client?.close().catch(() => undefined);
    if (this.workDir) rmSync(this.workDir, { recursive: true, force: true });
    this.workDir = undefined;
  }

  private connect(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.starting ??= this.spawn().then(
      (client) => {
        this.client = client;
        this.starting = undefined;
        return client;
      },
      (err: unknown) => {
        this.starting = undefined;
        throw new BridgeError(
          'playwright_failed',
          `Playwright MCP did not start: ${(err as Error).message}`,
          { cause: err },
        );
      },
    );
    return this.starting;
  }

  private async spawn(): Promise<Client> {
    this.workDir = mkdtempSync(join(tmpdir(), 'bp-mcp-'));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [playwrightMcpCli()],
      cwd: this.workDir,
      env: {
        ...getDefaultEnvironment(),
        PLAYWRIGHT_MCP_CDP_ENDPOINT: this.options.cdpEndpoint,
        PLAYWRIGHT_MCP_OUTPUT_DIR: join(this.workDir, 'output'),
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
      },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => {
      let text = chunk.toString('utf8').trim();
      for (const s of this.options.secrets ?? []) if (s) text = text.split(s).join('***');
      if (text) this.options.log.debug('playwright-mcp', { stderr: text.slice(0, 2000) });
    });
    const client = new Client({ name: 'browserpane-mcp-bridge', version: '0.1.0' });
    client.onclose = () => {
      if (this.client === client) this.client = undefined;
    };
    await client.connect(transport);
    return client;
  }
}
