import type { RunningEdge } from './edge.ts';

/** What a running local edge tells other local components, from its public URL and vars. */
export function edgeEndpoints(
  publicUrl: string,
  vars: Readonly<Record<string, string | undefined>>,
): Pick<RunningEdge, 'ticketIssuer' | 'jwksUrl' | 'devOidc' | 'secrets'> {
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
