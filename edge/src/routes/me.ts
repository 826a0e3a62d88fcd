import { routes } from '@browserpane/api/contract';
import type { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { implement } from '../http/route.ts';

/** Who the bearer token says the caller is: the reference's shape and ours. */
export function identityRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.getCurrentIdentity, async (c) => {
    const p = c.var.principal;
    return {
      status: 200,
      body: {
        subject: p.id,
        issuer: p.issuer,
        display_name: p.name,
        client_id: p.kind === 'service' ? (p.clientId ?? p.id) : null,
        principal_type: p.kind === 'service' ? ('service_principal' as const) : ('user' as const),
      },
    };
  });

  implement(app, routes.getMe, async (c) => {
    const p = c.var.principal;
    return {
      status: 200,
      body: { principal_id: p.id, name: p.name, kind: p.kind, issuer: p.issuer },
    };
  });
}
