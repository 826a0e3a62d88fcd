/**
 * Warms an entrypoint process's attach path before it takes a run: Playwright's CDP client (a
 * 3.6 MB bundle whose functions V8 compiles on first use) connects once to a stand-in browser on
 * loopback that answers the handshake, so a run's own `connectOverCDP` through the gateway does
 * not pay for compiling it. Off the run's path (the process is warm before any run needs it).
 */
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { WebSocketServer } from 'ws';

/** What the stand-in answers: a browser with no pages; every other command succeeds empty. */
function reply(method: string): Record<string, unknown> {
  if (method === 'Browser.getVersion')
    return {
      protocolVersion: '1.3',
      product: 'HeadlessChrome/140.0.0.0',
      revision: '0',
      userAgent: 'Mozilla/5.0 HeadlessChrome/140.0.0.0',
      jsVersion: '14.0',
    };
  if (method === 'Target.getTargetInfo')
    return {
      targetInfo: {
        targetId: 'browser',
        type: 'browser',
        title: '',
        url: '',
        attached: true,
        canAccessOpener: false,
      },
    };
  if (method === 'Target.getBrowserContexts') return { browserContextIds: [] };
  if (method === 'Page.getFrameTree')
    return {
      frameTree: {
        frame: {
          id: 'page',
          loaderId: 'loader',
          url: 'about:blank',
          domainAndRegistry: '',
          securityOrigin: '://',
          mimeType: 'text/html',
          secureContextType: 'InsecureScheme',
          crossOriginIsolatedContextType: 'NotIsolated',
          gatedAPIFeatures: [],
        },
      },
    };
  if (method === 'Runtime.evaluate' || method === 'Runtime.callFunctionOn')
    return { result: { type: 'number', value: 42, description: '42' } };
  return {};
}

export async function warmAttach(timeoutMs = 10_000): Promise<void> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.on('connection', (socket) =>
    socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as { id: number; method: string; sessionId?: string };
      socket.send(JSON.stringify({ id: m.id, sessionId: m.sessionId, result: reply(m.method) }));
      // One blank page, so the page side of the attach is warmed too.
      if (m.method === 'Target.setAutoAttach' && !m.sessionId)
        socket.send(
          JSON.stringify({
            method: 'Target.attachedToTarget',
            params: {
              sessionId: 'page-session',
              targetInfo: {
                targetId: 'page',
                type: 'page',
                title: '',
                url: 'about:blank',
                attached: true,
                canAccessOpener: false,
                browserContextId: 'context',
              },
              waitingForDebugger: true,
            },
          }),
        );
      if (m.method === 'Runtime.enable' && m.sessionId)
        socket.send(
          JSON.stringify({
            sessionId: m.sessionId,
            method: 'Runtime.executionContextCreated',
            params: {
              context: {
                id: 1,
                origin: '://',
                name: '',
                uniqueId: 'main',
                auxData: { isDefault: true, type: 'default', frameId: 'page' },
              },
            },
          }),
        );
    }),
  );
  try {
    const { port } = server.address() as AddressInfo;
    const browser = await chromium.connectOverCDP(`ws://127.0.0.1:${port}/devtools/browser/w`, {
      timeout: timeoutMs,
    });
    const page = browser.contexts()[0]?.pages()[0];
    await page?.evaluate(() => 6 * 7).catch(() => {});
    await browser.close().catch(() => {});
  } finally {
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
