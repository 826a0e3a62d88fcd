import { devSecrets } from './dev-secrets.ts';
import { freePort } from './ports.ts';

/** What both local edge launchers (Miniflare and plain workerd) are given. */
export interface LocalEdgeOptions {
  port?: number;
  host?: string;
  publicUrl?: string;
  vars?: Record<string, string>;
  dataDir?: string;
  log?: (line: string) => void;
}

/**
 * Where a local edge listens and the settings it starts with: a free port unless one is given,
 * its public URL, the dev secrets (kept in `dataDir`), the dev OIDC issuer unless a real one is
 * configured, then the caller's own vars; log lines to stderr unless told otherwise.
 */
export async function localEdgeSettings(options: LocalEdgeOptions): Promise<{
  host: string;
  port: number;
  publicUrl: string;
  vars: Record<string, string>;
  log: (line: string) => void;
}> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const publicUrl = (options.publicUrl ?? `http://${host}:${port}`).replace(/\/$/, '');
  const vars: Record<string, string> = {
    EDGE_URL: publicUrl,
    ...(options.vars?.OIDC_ISSUER ? {} : { DEV_OIDC: '1' }),
    ...(await devSecrets(options.dataDir)),
    ...options.vars,
  };
  const log = options.log ?? ((line: string) => process.stderr.write(`[edge] ${line}\n`));
  return { host, port, publicUrl, vars, log };
}

/** What a running local edge tells other local components. */
export interface EdgeEndpoints {
  /** `iss` of connect tickets (= EDGE_URL). */
  ticketIssuer: string;
  jwksUrl: string;
  /** The development OIDC issuer (when enabled). */
  devOidc: { issuer: string; tokenEndpoint: string; audience: string } | null;
  /** What other local components need; never print these. */
  secrets: {
    hostEnrollmentToken: string;
    operatorToken: string;
    /** client id → secret of the dev issuer's service principals (`mcp-bridge`, …). */
    serviceClients: Record<string, string>;
  };
}

/** What a running local edge tells other local components, from its public URL and vars. */
export function edgeEndpoints(
  publicUrl: string,
  vars: Readonly<Record<string, string | undefined>>,
): EdgeEndpoints {
  return {
    ticketIssuer: publicUrl,
    jwksUrl: `${publicUrl}/.well-known/jwks.json`,
    devOidc:
      vars.DEV_OIDC === '1'
        ? {
            issuer: `${publicUrl}/dev-oidc`,
            tokenEndpoint: `${publicUrl}/dev-oidc/token`,
            audience: 'browserpane-api',
          }
        : null,
    secrets: {
      hostEnrollmentToken: vars.HOST_ENROLLMENT_TOKEN ?? '',
      operatorToken: vars.OPERATOR_TOKEN ?? '',
      serviceClients: JSON.parse(vars.DEV_OIDC_CLIENT_SECRETS ?? '{}') as Record<string, string>,
    },
  };
}
