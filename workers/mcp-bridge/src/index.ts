/**
 * @module
 * The BrowserPane MCP bridge as a library (the local stack and tests start it in-process).
 *
 * ```ts
 * import { bridgeConfig, startBridge } from '@browserpane/mcp-bridge';
 * const bridge = await startBridge(bridgeConfig({ apiUrl: edge.url, clientSecret, port: 8931 }));
 * bridge.url;              // http://127.0.0.1:8931 → MCP at /mcp (Streamable HTTP) and /sse
 * await bridge.close();
 * ```
 */
export { type RunningBridge, startBridge } from './bridge.ts';
export { type BridgeConfig, bridgeConfig, readConfig } from './config.ts';
export { BridgeError, type BridgeErrorCode } from './errors.ts';
export { createLogger, type Logger, silentLogger } from './log.ts';
export { ALLOWED_TOOLS } from './playwright/tool-policy.ts';
