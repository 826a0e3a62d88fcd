// Fakes of the Browserbase (v1) and browser-use (v3) REST APIs, as documented, whose "CDP URL" is
// a local Chromium.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Call {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface FakeVendor {
  url: string;
  calls: Call[];
  /** Status codes to answer session creation with before succeeding (e.g. [500, 502]). */
  createFailures: number[];
  /** When set, every create answers this status. */
  createStatus: number | null;
  /** Omit cdpUrl/connectUrl from the create response. */
  omitCdpUrl: boolean;
  close(): Promise<void>;
}

type Handler = (call: Call, fake: FakeVendor, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<FakeVendor> {
  const fake: FakeVendor = {
    url: '',
    calls: [],
    createFailures: [],
    createStatus: null,
    omitCdpUrl: false,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const call: Call = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: text ? JSON.parse(text) : null,
      };
      fake.calls.push(call);
      handler(call, fake, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function createOutcome(fake: FakeVendor): number | null {
  if (fake.createStatus !== null) return fake.createStatus;
  return fake.createFailures.shift() ?? null;
}

/** Browserbase: POST /v1/sessions, GET /v1/sessions/:id/debug, POST /v1/sessions/:id (release). */
export function fakeBrowserbase(cdpUrl: string, apiKey: string): Promise<FakeVendor> {
  let n = 0;
  return serve((call, fake, res) => {
    if (call.headers['x-bb-api-key'] !== apiKey) return json(res, 401, { error: 'Unauthorized' });
    if (call.method === 'POST' && call.path === '/v1/sessions') {
      const status = createOutcome(fake);
      if (status !== null) return json(res, status, { error: `status ${status}` });
      n++;
      return json(res, 201, {
        id: `bb-session-${n}`,
        status: 'RUNNING',
        projectId: (call.body as { projectId?: string }).projectId,
        ...(fake.omitCdpUrl ? {} : { connectUrl: cdpUrl }),
      });
    }
    const debug = /^\/v1\/sessions\/([^/]+)\/debug$/.exec(call.path);
    if (call.method === 'GET' && debug) {
      return json(res, 200, {
        debuggerFullscreenUrl: `https://live.example/devtools/${debug[1]}`,
        pages: [],
      });
    }
    if (call.method === 'POST' && /^\/v1\/sessions\/[^/]+$/.test(call.path)) {
      return json(res, 200, { status: 'COMPLETED' });
    }
    json(res, 404, { error: 'not found' });
  });
}

/** browser-use: POST /api/v3/browsers, PATCH /api/v3/browsers/:id. */
export function fakeBrowserUse(cdpUrl: string, apiKey: string): Promise<FakeVendor> {
  let n = 0;
  return serve((call, fake, res) => {
    if (call.headers['x-browser-use-api-key'] !== apiKey)
      return json(res, 401, { detail: 'Invalid API key' });
    if (call.method === 'POST' && call.path === '/api/v3/browsers') {
      const status = createOutcome(fake);
      if (status !== null) return json(res, status, { detail: `status ${status}` });
      n++;
      return json(res, 201, {
        id: `bu-${n}`,
        status: 'active',
        liveUrl: `https://live.browser-use.example/bu-${n}`,
        ...(fake.omitCdpUrl ? {} : { cdpUrl }),
      });
    }
    if (call.method === 'PATCH' && /^\/api\/v3\/browsers\/[^/]+$/.test(call.path)) {
      return json(res, 200, { status: 'stopped' });
    }
    json(res, 404, { detail: 'not found' });
  });
}
