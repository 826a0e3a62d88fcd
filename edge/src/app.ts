import { Hono } from 'hono';
import type { AppEnv } from './env.ts';
import { AppError } from './errors.ts';
import { database } from './middleware/database.ts';
import { drainRequestBody } from './middleware/drain-body.ts';
import { notFound, onError } from './middleware/errors.ts';
import { requestId } from './middleware/request-id.ts';
import { requestMetrics } from './middleware/request-metrics.ts';
import { consoleRoutes } from './routes/console.ts';
import { credentialRoutes } from './routes/credentials.ts';
import { devOidcRoutes } from './routes/dev-oidc.ts';
import { docsRoutes } from './routes/docs.ts';
import { extensionRoutes } from './routes/extensions.ts';
import { fileBindingRoutes } from './routes/file-bindings.ts';
import { fileWorkspaceRoutes } from './routes/file-workspaces.ts';
import { healthRoutes } from './routes/health.ts';
import { hostRoutes } from './routes/hosts.ts';
import { jwksRoutes } from './routes/jwks.ts';
import { identityRoutes } from './routes/me.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { recordingWorkerRoutes } from './routes/recording-worker.ts';
import { recordingRoutes } from './routes/recordings.ts';
import { sessionControlRoutes } from './routes/session-control.ts';
import { sessionFileRoutes } from './routes/session-files.ts';
import { sessionProfileRoutes } from './routes/session-profiles.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { shareRoutes } from './routes/shares.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { workflowRunRoutes } from './routes/workflow-runs.ts';
import { workflowWorkerRoutes } from './routes/workflow-worker.ts';
import { workflowRoutes } from './routes/workflows.ts';

/** Answers 405 (with `Allow`) for a known path asked with a method it does not have. */
function addMethodNotAllowed(app: Hono<AppEnv>): void {
  const methods = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    const set = methods.get(route.path) ?? new Set<string>();
    set.add(route.method);
    methods.set(route.path, set);
  }
  for (const [path, allowed] of methods) {
    if (path.includes('*')) continue;
    const allow = [...allowed, ...(allowed.has('GET') ? ['HEAD'] : [])].join(', ');
    app.all(path, (c) => {
      throw new AppError(
        'method_not_allowed',
        `${c.req.method} is not supported on ${path}; use ${allow}`,
        {
          headers: { allow },
        },
      );
    });
  }
}

/** The edge application: every route, one error shape, request ids, a database per request. */
export function buildApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestMetrics);
  app.use(drainRequestBody);
  app.use(requestId);
  app.use(database);
  app.onError(onError);
  app.notFound(notFound);

  app.route('/', healthRoutes);
  app.route('/', metricsRoutes);
  app.route('/', docsRoutes);
  app.route('/', consoleRoutes);
  app.route('/.well-known', jwksRoutes);
  app.route('/dev-oidc', devOidcRoutes);
  // API v1: every route as declared in @browserpane/api/contract.
  identityRoutes(app);
  sessionRoutes(app);
  sessionControlRoutes(app);
  shareRoutes(app);
  sessionFileRoutes(app);
  sessionProfileRoutes(app);
  recordingRoutes(app);
  recordingWorkerRoutes(app);
  hostRoutes(app);
  workflowRoutes(app);
  workflowRunRoutes(app);
  workflowWorkerRoutes(app);
  credentialRoutes(app);
  webhookRoutes(app);
  extensionRoutes(app);
  fileWorkspaceRoutes(app);
  fileBindingRoutes(app);
  addMethodNotAllowed(app);
  return app;
}
