import type { Database, QueryOnce } from './db/client.ts';
import type { HostRow } from './db/schema/index.ts';
import type { Principal } from './services/oidc/principal.ts';
import type { WorkerGrant } from './services/recordings/grant.ts';

/** Messages on the JOBS queue. */
export type Job = { type: 'sweep' };

/**
 * Bindings of the edge worker (wrangler.toml; `.dev.vars` locally). Everything the worker knows
 * about its deployment arrives here: it never reads `process.env`.
 */
export interface Env {
  /** Postgres through Hyperdrive (production) or a local connection string (dev). */
  DB?: Hyperdrive;
  /**
   * Self-hosted on plain workerd (deploy/workerd): the Postgres URL (through a pooler), used when
   * there is no `DB` binding.
   */
  DATABASE_URL?: string;
  /** Artifacts (recordings, produced and workspace files, snapshots): the R2 bucket binding. */
  ARTIFACTS?: R2Bucket;
  /** Artifacts on plain workerd without S3: a writable `disk` service (deploy/workerd/edge.capnp). */
  ARTIFACTS_DISK?: Fetcher;
  /**
   * Artifacts in an S3-compatible bucket instead (takes precedence): the bucket's base URL, e.g.
   * `https://s3.eu-west-1.amazonaws.com/browserpane` or `http://minio:9000/browserpane`.
   */
  ARTIFACTS_S3_URL?: string;
  /** SigV4 region of the S3 bucket (default `us-east-1`; R2's S3 API uses `auto`). */
  ARTIFACTS_S3_REGION?: string;
  /** Background jobs (sweeps now; webhook deliveries later). */
  JOBS?: Queue<Job>;
  /** The console's static files (Workers Static Assets, or a local service binding). */
  ASSETS?: Fetcher;

  /** Public origin of this edge, e.g. `https://edge.example.com`; the `iss` of connect tickets. */
  EDGE_URL?: string;
  /** `1` enables the built-in development OIDC issuer under `/dev-oidc`. Never in production. */
  DEV_OIDC?: string;
  OIDC_ISSUER?: string;
  OIDC_AUDIENCE?: string;
  OIDC_JWKS_URL?: string;
  /** Public OIDC client the console uses (Authorization Code + PKCE). */
  OIDC_CONSOLE_CLIENT_ID?: string;
  HOST_LOST_AFTER_MS?: string;
  HOST_HEARTBEAT_INTERVAL_MS?: string;
  DEFAULT_IDLE_TIMEOUT_SEC?: string;
  TICKET_TTL_SEC?: string;
  /** Sessions one user may have running or waiting at once (default 10). */
  MAX_SESSIONS_PER_USER?: string;
  /** Extra origins (comma-separated) allowed as redirect URIs by the dev OIDC issuer. */
  DEV_OIDC_REDIRECT_ORIGINS?: string;
  /** Public URL of the MCP bridge; the console offers "Delegate to MCP" when it is set. */
  MCP_BRIDGE_URL?: string;
  /** OAuth client ids (comma-separated) of the service principals that are workflow workers. */
  WORKFLOW_WORKER_CLIENT_IDS?: string;
  /** Git URL protocols workflow sources may use (comma-separated of https, http, ssh, git). */
  WORKFLOW_GIT_PROTOCOLS?: string;
  /** Workflow runs admitted at once pool-wide (default 16); the rest wait in `queued`. */
  WORKFLOW_MAX_ACTIVE_RUNS?: string;
  /** Workflow runs admitted at once per owner (default 8). */
  WORKFLOW_MAX_ACTIVE_RUNS_PER_OWNER?: string;
  /** A worker's lease on a run without heartbeats, ms (default 30000); then the run is retried or failed. */
  WORKFLOW_LEASE_MS?: string;
  /** How long publishing a git version waits for a worker to resolve it, ms (default 60000). */
  WORKFLOW_SOURCE_WAIT_MS?: string;
  /** `true`: webhook targets on loopback, link-local, private and unique-local addresses are allowed (default false; the local stack sets it). */
  WEBHOOK_ALLOW_PRIVATE_TARGETS?: string;
  /** Attempts of one webhook delivery before it is `failed` (default 8). */
  WEBHOOK_MAX_ATTEMPTS?: string;
  /** Delay before a delivery's 2nd attempt, ms (default 10000); doubles each attempt. */
  WEBHOOK_BACKOFF_BASE_MS?: string;
  /** Longest delay between attempts, ms (default 3600000). */
  WEBHOOK_BACKOFF_MAX_MS?: string;
  /** Time limit of one delivery attempt, ms (default 10000). */
  WEBHOOK_TIMEOUT_MS?: string;
  WEBHOOK_LOST_AFTER_MS?: string;
  /** How long a rotated-out signing secret keeps signing, s (default 86400). */
  WEBHOOK_SECRET_GRACE_SEC?: string;
  /** Recording policy of sessions created without one: `disabled` (default), `manual`, `always`. */
  DEFAULT_RECORDING_MODE?: string;
  /** Seconds finished recordings are kept when their policy names no retention (unset: kept). */
  RECORDING_RETENTION_SEC?: string;

  /** Secret: Ed25519 private JWK that signs connect tickets. */
  TICKET_SIGNING_KEY?: string;
  /** Secret: previous public JWK(s) (a JWK, an array or a JWKS) still served until their tickets expire. */
  TICKET_SIGNING_KEY_PREVIOUS?: string;
  /** Secret: access key id for `ARTIFACTS_S3_URL`. */
  ARTIFACTS_S3_ACCESS_KEY_ID?: string;
  /** Secret: secret access key for `ARTIFACTS_S3_URL`. */
  ARTIFACTS_S3_SECRET_ACCESS_KEY?: string;
  /**
   * Secret: key-encryption key (base64url, 32 bytes) that wraps every stored key: session profile
   * keys and credential bindings' data keys.
   */
  CREDENTIALS_KEK?: string;
  /**
   * Secret, during a rotation only: the previous key(s) (comma-separated), still used to unwrap
   * until `POST /api/v1/maintenance/rewrap-credentials` has moved everything to the current one.
   */
  CREDENTIALS_KEK_PREVIOUS?: string;
  /**
   * The optional HashiCorp Vault / OpenBao KV v2 credential store, e.g. `https://vault:8200`: when
   * set, new credential bindings keep their secret there (Postgres keeps only metadata).
   */
  VAULT_ADDR?: string;
  /** Secret: the token the edge presents to Vault (`X-Vault-Token`). */
  VAULT_TOKEN?: string;
  /** Mount of the KV v2 secrets engine (default `secret`). */
  VAULT_KV_MOUNT?: string;
  /** Vault Enterprise / OpenBao namespace (`X-Vault-Namespace`); unset: none. */
  VAULT_NAMESPACE?: string;
  /** Path under the mount holding one secret per binding (default `browserpane/credentials`). */
  VAULT_PATH_PREFIX?: string;
  /** Secret: what a host presents to `POST /api/v1/hosts/enroll`. */
  HOST_ENROLLMENT_TOKEN?: string;
  /** Secret: bearer token of operator routes (`GET /api/v1/hosts`, maintenance sweep). */
  OPERATOR_TOKEN?: string;
  /** Secret: bearer token of `GET /metrics` (the operator token works too). */
  METRICS_TOKEN?: string;
  /** Secret (dev issuer only): Ed25519 private JWK that signs dev OIDC tokens. */
  DEV_OIDC_SIGNING_KEY?: string;
  /** Secret (dev issuer only): JSON `{ "<client_id>": "<client_secret>" }` of service principals. */
  DEV_OIDC_CLIENT_SECRETS?: string;
}

export interface Variables {
  requestId: string;
  /** Opens the request's database connection on first use. */
  db: () => Database;
  /** One statement on a connection of its own (the lean wire client): for single-query hot paths. */
  query: QueryOnce;
  principal: Principal;
  /** The host whose credential authenticated the request (host routes). */
  host: HostRow;
  /** What the recording worker's token grants (recording worker routes). */
  grant: WorkerGrant;
}

export type AppEnv = { Bindings: Env; Variables: Variables };
