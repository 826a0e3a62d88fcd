import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorBody } from '@browserpane/api/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHostConfig } from '../src/config.ts';
import { HostAgent } from '../src/control/agent.ts';
import { type DesiredState, EdgeClient, type EnrollAnswer } from '../src/control/edge-client.ts';
import { silentLogger } from '../src/log.ts';
import { SessionManager } from '../src/sessions/session-manager.ts';

const SESSION = '01970000-0000-7000-8000-00000000000a';
const HOST_ID = '01970000-0000-7000-8000-0000000000b1';

/**
 * The edge's host contract, played by a small server so a test can make a heartbeat fail: it
 * records every enrolment and heartbeat body and answers the documented shapes.
 */
async function startEdgeStandIn(options: { failHeartbeatsWithEvents: number }) {
  const enrolments: Record<string, unknown>[] = [];
  const beats: { events: { type: string }[] }[] = [];
  let failuresLeft = options.failHeartbeatsWithEvents;
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString() || '{}');
  };
  const server: Server = createServer(async (req, res) => {
    const body = await read(req);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.url === '/api/v1/hosts/enroll') {
      enrolments.push(body);
      return json(201, {
        host_id: HOST_ID,
        host_credential: `bph_${enrolments.length}`,
        heartbeat_interval_ms: 100,
        lost_after_ms: 15_000,
        jwks_url: 'http://127.0.0.1/jwks',
        ticket_issuer: 'http://127.0.0.1',
        ticket_audience: 'browserpane-relay',
      } satisfies EnrollAnswer);
    }
    beats.push(body);
    if (body.events.length > 0 && failuresLeft > 0) {
      failuresLeft--;
      return json(503, {
        error: 'try again',
        code: 'database_unavailable',
        request_id: 'req_test',
      } satisfies ErrorBody);
    }
    return json(200, {
      heartbeat_interval_ms: 100,
      // A session to run, which this host cannot start: its agent reports runtime_failed.
      sessions: [
        {
          session_id: SESSION,
          desired: 'running',
          grant_generation: 0,
          options: {
            viewport: { width: 800, height: 600 },
            capabilities: {},
            owner_mode: 'collaborative',
            video_mode: 'roi',
            idle_timeout_sec: 300,
            labels: {},
          },
        },
      ],
      commands: [],
      recordings: [],
      exports: [],
    } satisfies DesiredState);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    enrolments,
    beats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('host agent heartbeats', () => {
  const stops: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  const agentFor = (edgeUrl: string, dataDir: string) => {
    const config = parseHostConfig(
      {
        EDGE_URL: edgeUrl,
        HOST_ENROLLMENT_TOKEN: 'enrol-token-for-tests',
        HOST_NAME: 'agent-test',
        HOST_DATA_DIR: dataDir,
        HOST_MAX_SESSIONS: '2',
        HOST_WARM_RUNTIMES: '0',
      },
      [],
    );
    const sessions = new SessionManager(
      { create: () => Promise.reject(new Error('no runtime on this test host')) },
      2,
      silentLogger,
    );
    const agent = new HostAgent(
      config,
      () => null,
      new EdgeClient(edgeUrl),
      sessions,
      silentLogger,
    );
    stops.push(() => agent.stop());
    return agent;
  };

  it('sends the events of a failed heartbeat with a later one instead of dropping them', async () => {
    const edge = await startEdgeStandIn({ failHeartbeatsWithEvents: 2 });
    stops.push(() => edge.close());
    const agent = agentFor(edge.url, mkdtempSync(join(tmpdir(), 'bp-agent-')));
    await agent.enroll();
    agent.start();
    const carrying = () =>
      edge.beats.filter((b) => b.events.some((e) => e.type === 'runtime_failed'));
    await expect.poll(() => carrying().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    // The first two carried it and failed (503); the third carried the same event and succeeded.
    const [first, second, third] = carrying();
    expect(second?.events).toEqual(first?.events);
    expect(third?.events).toEqual(first?.events);
  });

  it('re-enrols its name with the credential it kept in its data directory', async () => {
    const edge = await startEdgeStandIn({ failHeartbeatsWithEvents: 0 });
    stops.push(() => edge.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'bp-agent-'));
    await agentFor(edge.url, dataDir).enroll();
    expect(edge.enrolments[0]).not.toHaveProperty('host_credential');
    // The agent restarts: a new process reads what the last one kept.
    await agentFor(edge.url, dataDir).enroll();
    expect(edge.enrolments[1]).toMatchObject({ name: 'agent-test', host_credential: 'bph_1' });
  });
});
