import { join } from 'node:path';
import type { HostConfig } from './config.ts';
import { AGENT_VERSION, agentStateDir, HostAgent } from './control/agent.ts';
import { EdgeClient } from './control/edge-client.ts';
import { wakeDoor } from './control/wake-door.ts';
import { edgeExtensions } from './extensions/extension-source.ts';
import { edgeFileSink } from './files/session-file-sink.ts';
import type { Logger } from './log.ts';
import { HostMetrics } from './metrics/host-metrics.ts';
import { edgeProfiles } from './profiles/profile-edge.ts';
import { ProfileSync } from './profiles/profile-sync.ts';
import { RecorderSupervisor } from './recording/recorder-supervisor.ts';
import { CdpGateway } from './relay/cdp-gateway.ts';
import {
  CertificateFilesSource,
  GeneratedCertificateSource,
} from './relay/certificates/certificate-sources.ts';
import type { RelayCertificate } from './relay/certificates/relay-certificate.ts';
import { RelayCertificates } from './relay/certificates/relay-certificates.ts';
import { RelayServer } from './relay/relay-server.ts';
import { type TicketClaims, TicketError, TicketVerifier } from './relay/tickets.ts';
import { FileUsedTickets } from './relay/used-tickets.ts';
import { SlotLimiter } from './runtime/index.ts';
import { HostSandbox } from './sandbox/index.ts';
import { DisplaySessionFactory } from './sessions/display-session.ts';
import { sessionFeatures } from './sessions/features.ts';
import { SessionManager } from './sessions/session-manager.ts';
import type { WarmPool } from './sessions/warm-pool.ts';

/** The display size warm runtimes start at (the console's usual size; a session resizes it). */
const WARM_VIEWPORT = { width: 1280, height: 720 };

const CONNECT_PATH = /^\/sessions\/([A-Za-z0-9_-]{1,64})\/connect$/;
/**
 * How long a client with a valid ticket waits for its session to start here (a cold start takes
 * seconds); below the client's 10 s wait for the server's hello, so it never gives up first.
 */
const ADMIT_WAIT_MS = 8_000;

export interface RunningHost {
  readonly hostId: string;
  /** The certificate the relay serves now (it changes on renewal or reload). */
  readonly certificate: RelayCertificate;
  readonly certificates: RelayCertificates;
  readonly relayPort: number;
  readonly plainPort: number | undefined;
  readonly sessions: SessionManager;
  /** Runtimes started ahead for new sessions (HOST_WARM_RUNTIMES > 0). */
  readonly warmPool: WarmPool | undefined;
  /** The recording workers (undefined when RECORDING_WORKER is off). */
  readonly recorders: RecorderSupervisor | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the host agent: the relay (WebTransport + CDP gateway) first, then enrolment and the
 * heartbeat loop that runs the sessions the edge places here.
 */
export async function startHostAgent(
  config: HostConfig,
  log: Logger,
  options: { readonly certificateClock?: () => number } = {},
): Promise<RunningHost> {
  // RELAY_CERT/RELAY_KEY (reloaded when they change; pinned only with RELAY_CERT_PIN=1), or the
  // agent's own short-lived certificate (pinned, renewed 6 days before it expires).
  const certificates = RelayCertificates.open({
    source:
      config.relay.certPath && config.relay.keyPath
        ? new CertificateFilesSource(config.relay.certPath, config.relay.keyPath)
        : new GeneratedCertificateSource(join(config.dataDir, 'certs')),
    pin: config.relay.certPin,
    log: log.child({ module: 'relay-certificates' }),
    now: options.certificateClock,
  });
  // warm runtimes are runtimes too, beyond the sessions' slots
  const slots = new SlotLimiter({ maxSlots: config.maxSessions + config.warmRuntimes });
  const edge = new EdgeClient(config.edgeUrl);
  const { sandbox, canStart } = await openSandbox(config, log);
  const profiles = config.profiles.enabled
    ? {
        sync: new ProfileSync({
          edge: edgeProfiles(edge, config.edgeUrl, () => agent?.identity),
          workDir: join(agentStateDir(config.dataDir), 'profile-transfers'),
          log: log.child({ module: 'profiles' }),
          maxUnpackedBytes: config.profiles.maxUnpackedBytes,
        }),
        saveIntervalMs: config.profiles.saveIntervalMs,
      }
    : undefined;
  const factory = new DisplaySessionFactory({
    ...(profiles ? { profiles } : {}),
    extensions: edgeExtensions(config.edgeUrl, () => agent?.identity),
    dataDir: config.dataDir,
    chromiumPath: config.chromiumPath,
    tileSize: config.tileSize,
    slots,
    log,
    ...(sandbox ? { sandbox } : {}),
    // Downloads are recorded as session files with the edge, with this host's credential.
    features: sessionFeatures({ files: { sink: edgeFileSink(edge, () => agent?.identity) } }),
  });
  let agent: HostAgent | undefined;
  const sessions = new SessionManager(factory, config.maxSessions, log, (urgent) =>
    urgent ? agent?.wake() : agent?.nudge(),
  );
  let relayPort = config.relay.port;
  const loopback = ['0.0.0.0', '::', ''].includes(config.relay.host)
    ? '127.0.0.1'
    : config.relay.host;
  const recorders = config.recordingWorker
    ? new RecorderSupervisor({
        launcher: config.recordingWorker,
        edgeUrl: config.edgeUrl,
        log: log.child({ module: 'recorders' }),
        localRelay: () => ({
          url: `https://${loopback.includes(':') ? `[${loopback}]` : loopback}:${relayPort}`,
          certSha256: certificates.current.sha256Hex,
        }),
      })
    : undefined;
  agent = new HostAgent(config, () => certificates.pinSha256, edge, sessions, log, recorders);
  const metrics = new HostMetrics(
    {
      sessions,
      warmRuntimes: () => factory.warmPool?.size ?? 0,
      warmTarget: () => config.warmRuntimes,
    },
    config.metricsToken,
  );

  let verifier: TicketVerifier | undefined;
  const verify = (ticket: string | null, sessionId: string): Promise<TicketClaims> =>
    verifier
      ? verifier.verify(ticket, sessionId)
      : Promise.reject(new TicketError('jwks_unavailable'));
  // the edge's wake-up after a placement: heartbeat now, so the session starts at once
  const wake = wakeDoor(
    (token) =>
      verifier ? verifier.verifyWake(token) : Promise.reject(new TicketError('jwks_unavailable')),
    () => agent?.wake(),
    log.child({ module: 'wake' }),
  );
  const gateway = new CdpGateway({
    verify,
    session: (id) => {
      const live = sessions.live(id);
      return live
        ? {
            hub: live.hub,
            cdpPort: () => live.cdpPort(),
            event: (type, data) => live.event(type, data),
          }
        : undefined;
    },
    log: log.child({ module: 'cdp-gateway' }),
  });
  const relay = await RelayServer.start<TicketClaims>({
    host: config.relay.host,
    port: config.relay.port,
    plainPort: config.relay.plainPort,
    cert: certificates.current.cert,
    key: certificates.current.key,
    log: log.child({ module: 'relay' }),
    admit: async (path) => {
      const url = new URL(path, 'http://relay');
      const sessionId = CONNECT_PATH.exec(url.pathname)?.[1];
      if (!sessionId) return { ok: false, status: 404 };
      try {
        const claims = await verify(url.searchParams.get('ticket'), sessionId);
        // A session still starting here admits the connection; its hub checks the grant and
        // answers the hello once it runs (onSession).
        const hub = sessions.hub(sessionId);
        if (hub && !hub.admitsGrant(claims)) throw new TicketError('revoked');
        return { ok: true, data: claims };
      } catch (err) {
        log.info('connection refused', {
          sessionId,
          reason: err instanceof TicketError ? err.reason : 'error',
        });
        return { ok: false, status: 403 };
      }
    },
    onSession: (session, claims) => {
      void sessions.hubWhenReady(claims.sessionId, ADMIT_WAIT_MS).then((hub) => {
        if (hub) void hub.admit(session, claims);
        else session.close({ closeCode: 1007, reason: 'session_unavailable' });
      });
    },
    http: async (req) => {
      const scraped = metrics.http(req) ?? wake(req);
      if (scraped) return scraped;
      if (req.path === '/healthz') {
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ok: true, version: AGENT_VERSION }),
        };
      }
      if (req.path === '/cert-sha256')
        return {
          status: 200,
          headers: { 'content-type': 'text/plain' },
          body: certificates.current.sha256Hex,
        };
      return gateway.http(req);
    },
    upgrade: (req, socket, head) => gateway.upgrade(req, socket, head),
  });
  relayPort = relay.port;
  log.info('relay listening', {
    port: relay.port,
    plainPort: relay.plainPort,
    http3: relay.http3,
    publicUrl: config.relay.publicUrl,
    certSha256: certificates.current.sha256Hex,
    pinned: certificates.pinned,
  });
  // A new certificate goes into service without dropping connections; the next heartbeat (sent
  // at once) reports its pin, so tickets minted from then on carry it.
  certificates.start((next) => relay.updateCertificate(next.cert, next.key));
  certificates.onChange(() => agent?.nudge());

  try {
    const enrollment = await agent.enroll();
    verifier = new TicketVerifier({
      jwksUrl: enrollment.jwks_url,
      issuer: enrollment.ticket_issuer,
      audience: enrollment.ticket_audience,
      hostId: () => agent?.hostId,
      // Used ticket ids outlive the process: a ticket used before a restart is refused after it.
      used: new FileUsedTickets(join(agentStateDir(config.dataDir), 'used-tickets')),
    });
    agent.start();
    // after enrolment, so starting browsers ahead never delays it; none when sessions cannot start
    const pool =
      config.warmRuntimes > 0 && canStart
        ? factory.startWarmPool(config.warmRuntimes, WARM_VIEWPORT)
        : undefined;
    return {
      hostId: enrollment.host_id,
      get certificate() {
        return certificates.current;
      },
      certificates,
      relayPort: relay.port,
      plainPort: relay.plainPort,
      sessions,
      warmPool: pool,
      recorders,
      stop: async () => {
        certificates.stop();
        agent?.stop();
        await pool?.stop();
        await recorders?.stopAll();
        await sessions.stopAll();
        await relay.close();
      },
    };
  } catch (err) {
    certificates.stop();
    await relay.close();
    throw err;
  }
}

/**
 * The host's session sandbox (checked and cleaned up now, so a host that cannot sandbox says so
 * at start), or none when the operator switched it off — said loudly, as it is.
 */
async function openSandbox(
  config: HostConfig,
  log: Logger,
): Promise<{ sandbox: HostSandbox | undefined; canStart: boolean }> {
  if (!config.sandbox.enabled) {
    log.warn(
      'HOST_SANDBOX=off: sessions run as this agent, unconfined — a user can read what the agent can read and reach what it can reach (SECURITY.md)',
    );
    return { sandbox: undefined, canStart: true };
  }
  const sandbox = new HostSandbox(config.sandbox, log.child({ module: 'sandbox' }));
  const problem = await sandbox.prepare();
  if (problem)
    log.error('sessions cannot be sandboxed on this host, so none will start', {
      reason: problem.message,
    });
  else
    log.info('session sandbox ready', {
      ownUsers: sandbox.root,
      allowHostPorts: config.sandbox.allowHostPorts,
      allowNets: config.sandbox.allowNets,
    });
  return { sandbox, canStart: !problem };
}
