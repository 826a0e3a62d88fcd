# BrowserPane edge on plain workerd (self-hosted; no Miniflare, no wrangler).
#
#   npm run build:workerd -w @browserpane/edge        # deploy/workerd/dist/worker.js and dist/console/
#   DATABASE_URL=postgres://user:pass@127.0.0.1:6432/browserpane EDGE_URL=https://edge.example.com \
#   TICKET_SIGNING_KEY='{"kty":"OKP",...}' HOST_ENROLLMENT_TOKEN=… OPERATOR_TOKEN=… OIDC_ISSUER=… \
#     npx workerd serve deploy/workerd/edge.capnp [--socket-addr http=0.0.0.0:8787]
#
# Run it from the repository root: the console's directory (below) is relative to workerd's working
# directory, not to this file. Every setting comes from the process environment
# (`fromEnvironment`; unset = not configured), so this file holds no secrets and is used as is. The names and meanings are those of the Worker
# bindings (edge/src/env.ts, wrangler.toml); `DATABASE_URL` stands in for the Hyperdrive binding
# `DB` and should point at a transaction pooler (PgBouncer) in front of PostgreSQL.
# See deploy/workerd/README.md (what is and is not available without Cloudflare: R2, queues, cron).

using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "edge", worker = .edgeWorker),
    # The console, as the edge's ASSETS binding: a small worker (console-assets.js) that maps the
    # console's paths to files and sets their content types, in front of a read-only directory.
    (name = "console", worker = .consoleWorker),
    # The built console. Relative to workerd's working directory (the repository root; the edge
    # image and the systemd unit run there). Elsewhere: `--directory-path console-files=/abs/dir`.
    # workerd does not start when the directory is missing (`npm run build:workerd` makes it).
    (name = "console-files", disk = (path = "deploy/workerd/dist/console", writable = false)),
    # Artifacts (session files, recordings, produced and workspace files, snapshots) on this
    # machine's disk: the store when ARTIFACTS_S3_URL is not set (an S3-compatible bucket wins).
    # Relative to workerd's working directory; the directory must exist and be writable.
    # Elsewhere: `--directory-path artifacts=/var/lib/browserpane/artifacts`.
    (name = "artifacts", disk = (path = "var/artifacts", writable = true)),
    # Outbound fetch() and sockets: the database and the OIDC issuer may be on this machine or a
    # private network, which workerd's default "internet" service refuses.
    (name = "internet", network = (
      allow = ["public", "private", "local"],
      tlsOptions = (trustBrowserCas = true),
    )),
  ],
  sockets = [
    # Override with `--socket-addr http=<host>:<port>`.
    (name = "http", address = "127.0.0.1:8787", http = (), service = "edge"),
  ],
);

const edgeWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "dist/worker.js"),
  ],
  # Keep in step with wrangler.toml and edge/local/build.ts (a test checks).
  compatibilityDate = "2026-04-01",
  compatibilityFlags = ["nodejs_compat"],
  bindings = [
    (name = "DATABASE_URL", fromEnvironment = "DATABASE_URL"),
    (name = "EDGE_URL", fromEnvironment = "EDGE_URL"),
    (name = "DEV_OIDC", fromEnvironment = "DEV_OIDC"),
    (name = "OIDC_ISSUER", fromEnvironment = "OIDC_ISSUER"),
    (name = "OIDC_AUDIENCE", fromEnvironment = "OIDC_AUDIENCE"),
    (name = "OIDC_JWKS_URL", fromEnvironment = "OIDC_JWKS_URL"),
    (name = "OIDC_CONSOLE_CLIENT_ID", fromEnvironment = "OIDC_CONSOLE_CLIENT_ID"),
    (name = "HOST_LOST_AFTER_MS", fromEnvironment = "HOST_LOST_AFTER_MS"),
    (name = "HOST_HEARTBEAT_INTERVAL_MS", fromEnvironment = "HOST_HEARTBEAT_INTERVAL_MS"),
    (name = "DEFAULT_IDLE_TIMEOUT_SEC", fromEnvironment = "DEFAULT_IDLE_TIMEOUT_SEC"),
    (name = "TICKET_TTL_SEC", fromEnvironment = "TICKET_TTL_SEC"),
    (name = "MAX_SESSIONS_PER_USER", fromEnvironment = "MAX_SESSIONS_PER_USER"),
    (name = "DEV_OIDC_REDIRECT_ORIGINS", fromEnvironment = "DEV_OIDC_REDIRECT_ORIGINS"),
    (name = "MCP_BRIDGE_URL", fromEnvironment = "MCP_BRIDGE_URL"),
    (name = "WORKFLOW_WORKER_CLIENT_IDS", fromEnvironment = "WORKFLOW_WORKER_CLIENT_IDS"),
    (name = "WORKFLOW_GIT_PROTOCOLS", fromEnvironment = "WORKFLOW_GIT_PROTOCOLS"),
    (name = "WORKFLOW_MAX_ACTIVE_RUNS", fromEnvironment = "WORKFLOW_MAX_ACTIVE_RUNS"),
    (name = "WORKFLOW_MAX_ACTIVE_RUNS_PER_OWNER", fromEnvironment = "WORKFLOW_MAX_ACTIVE_RUNS_PER_OWNER"),
    (name = "WORKFLOW_LEASE_MS", fromEnvironment = "WORKFLOW_LEASE_MS"),
    (name = "WORKFLOW_SOURCE_WAIT_MS", fromEnvironment = "WORKFLOW_SOURCE_WAIT_MS"),
    (name = "WEBHOOK_ALLOW_PRIVATE_TARGETS", fromEnvironment = "WEBHOOK_ALLOW_PRIVATE_TARGETS"),
    (name = "WEBHOOK_MAX_ATTEMPTS", fromEnvironment = "WEBHOOK_MAX_ATTEMPTS"),
    (name = "WEBHOOK_BACKOFF_BASE_MS", fromEnvironment = "WEBHOOK_BACKOFF_BASE_MS"),
    (name = "WEBHOOK_BACKOFF_MAX_MS", fromEnvironment = "WEBHOOK_BACKOFF_MAX_MS"),
    (name = "WEBHOOK_TIMEOUT_MS", fromEnvironment = "WEBHOOK_TIMEOUT_MS"),
    (name = "WEBHOOK_LOST_AFTER_MS", fromEnvironment = "WEBHOOK_LOST_AFTER_MS"),
    (name = "WEBHOOK_SECRET_GRACE_SEC", fromEnvironment = "WEBHOOK_SECRET_GRACE_SEC"),
    (name = "DEFAULT_RECORDING_MODE", fromEnvironment = "DEFAULT_RECORDING_MODE"),
    (name = "RECORDING_RETENTION_SEC", fromEnvironment = "RECORDING_RETENTION_SEC"),
    (name = "VAULT_ADDR", fromEnvironment = "VAULT_ADDR"),
    (name = "VAULT_KV_MOUNT", fromEnvironment = "VAULT_KV_MOUNT"),
    (name = "VAULT_NAMESPACE", fromEnvironment = "VAULT_NAMESPACE"),
    (name = "VAULT_PATH_PREFIX", fromEnvironment = "VAULT_PATH_PREFIX"),
    (name = "ARTIFACTS_S3_URL", fromEnvironment = "ARTIFACTS_S3_URL"),
    (name = "ARTIFACTS_S3_REGION", fromEnvironment = "ARTIFACTS_S3_REGION"),
    # The artifact store on disk (used when ARTIFACTS_S3_URL is unset).
    (name = "ARTIFACTS_DISK", service = "artifacts"),
    # The console's static files (`/`, `/console`, `/console/*`).
    (name = "ASSETS", service = "console"),
    # Secrets.
    (name = "TICKET_SIGNING_KEY", fromEnvironment = "TICKET_SIGNING_KEY"),
    (name = "TICKET_SIGNING_KEY_PREVIOUS", fromEnvironment = "TICKET_SIGNING_KEY_PREVIOUS"),
    (name = "ARTIFACTS_S3_ACCESS_KEY_ID", fromEnvironment = "ARTIFACTS_S3_ACCESS_KEY_ID"),
    (name = "ARTIFACTS_S3_SECRET_ACCESS_KEY", fromEnvironment = "ARTIFACTS_S3_SECRET_ACCESS_KEY"),
    (name = "CREDENTIALS_KEK", fromEnvironment = "CREDENTIALS_KEK"),
    (name = "CREDENTIALS_KEK_PREVIOUS", fromEnvironment = "CREDENTIALS_KEK_PREVIOUS"),
    (name = "VAULT_TOKEN", fromEnvironment = "VAULT_TOKEN"),
    (name = "HOST_ENROLLMENT_TOKEN", fromEnvironment = "HOST_ENROLLMENT_TOKEN"),
    (name = "OPERATOR_TOKEN", fromEnvironment = "OPERATOR_TOKEN"),
    (name = "METRICS_TOKEN", fromEnvironment = "METRICS_TOKEN"),
    (name = "DEV_OIDC_SIGNING_KEY", fromEnvironment = "DEV_OIDC_SIGNING_KEY"),
    (name = "DEV_OIDC_CLIENT_SECRETS", fromEnvironment = "DEV_OIDC_CLIENT_SECRETS"),
  ],
);

const consoleWorker :Workerd.Worker = (
  modules = [
    (name = "console-assets.js", esModule = embed "console-assets.js"),
  ],
  compatibilityDate = "2026-04-01",
  bindings = [
    (name = "FILES", service = "console-files"),
  ],
);
