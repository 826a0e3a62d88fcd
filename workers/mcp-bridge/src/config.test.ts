import { describe, expect, it } from 'vitest';
import { parseViewport, readConfig } from './config.ts';
import { BridgeError } from './errors.ts';

const base = { BROWSERPANE_API_URL: 'http://127.0.0.1:8787/', MCP_BRIDGE_CLIENT_SECRET: 's3cret' };

describe('readConfig', () => {
  it('has defaults for everything but the edge and the client secret', () => {
    expect(readConfig(base)).toEqual({
      apiUrl: 'http://127.0.0.1:8787',
      clientId: 'mcp-bridge',
      clientSecret: 's3cret',
      tokenUrl: null,
      audience: null,
      host: '127.0.0.1',
      port: 8931,
      allowedHosts: [],
      allowedOrigins: ['http://127.0.0.1:8787'],
      supervisedDelayMs: 1500,
      statusPollMs: 2000,
      viewport: null,
      authToken: null,
      logLevel: 'info',
    });
  });

  it('reads every setting', () => {
    const config = readConfig({
      ...base,
      MCP_BRIDGE_CLIENT_ID: 'bridge-2',
      MCP_BRIDGE_TOKEN_URL: 'https://idp.example/token',
      MCP_BRIDGE_AUDIENCE: 'browserpane-api',
      MCP_BRIDGE_HOST: '0.0.0.0',
      MCP_BRIDGE_PORT: '0',
      MCP_BRIDGE_ALLOWED_HOSTS: 'mcp.example:443, mcp.example',
      MCP_BRIDGE_ALLOWED_ORIGINS: 'http://localhost:8787,http://127.0.0.1:8787',
      MCP_BRIDGE_SUPERVISED_DELAY_MS: '0',
      MCP_BRIDGE_STATUS_POLL_MS: '500',
      MCP_BRIDGE_VIEWPORT: '1600x900',
      MCP_BRIDGE_AUTH_TOKEN: 'tok',
      MCP_BRIDGE_LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      clientId: 'bridge-2',
      tokenUrl: 'https://idp.example/token',
      audience: 'browserpane-api',
      host: '0.0.0.0',
      port: 0,
      allowedHosts: ['mcp.example:443', 'mcp.example'],
      allowedOrigins: ['http://localhost:8787', 'http://127.0.0.1:8787'],
      supervisedDelayMs: 0,
      statusPollMs: 500,
      viewport: { width: 1600, height: 900 },
      authToken: 'tok',
      logLevel: 'debug',
    });
  });

  it('names the variable that is missing or wrong, and never echoes the secret', () => {
    const fail = (env: Record<string, string>) => {
      try {
        readConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(BridgeError);
        expect((err as BridgeError).code).toBe('config_invalid');
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(fail({})).toMatch(/BROWSERPANE_API_URL/);
    expect(fail({ BROWSERPANE_API_URL: 'ftp://x' })).toMatch(/BROWSERPANE_API_URL/);
    expect(fail({ BROWSERPANE_API_URL: 'http://x' })).toMatch(/MCP_BRIDGE_CLIENT_SECRET/);
    expect(fail({ ...base, MCP_BRIDGE_PORT: 'http' })).toMatch(/MCP_BRIDGE_PORT/);
    expect(fail({ ...base, MCP_BRIDGE_STATUS_POLL_MS: '5' })).toMatch(/MCP_BRIDGE_STATUS_POLL_MS/);
    expect(fail({ ...base, MCP_BRIDGE_LOG_LEVEL: 'loud' })).toMatch(/MCP_BRIDGE_LOG_LEVEL/);
    expect(fail({ ...base, MCP_BRIDGE_VIEWPORT: 'big' })).not.toContain('s3cret');
  });

  it('parses viewports within the edge’s limits', () => {
    expect(parseViewport('1280 x 720')).toEqual({ width: 1280, height: 720 });
    expect(() => parseViewport('100x100')).toThrow(BridgeError);
    expect(() => parseViewport('8000x900')).toThrow(/MCP_BRIDGE_VIEWPORT/);
  });
});
