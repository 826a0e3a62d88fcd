#!/usr/bin/env bash
# The edge image's entrypoint, also the systemd unit's ExecStart (deploy/systemd/browserpane-edge.service).
#
#   edge-entrypoint.sh [serve]   run the edge: `workerd serve deploy/workerd/edge.capnp` (API and
#                                console), after the migrations when BROWSERPANE_MIGRATE=1
#   edge-entrypoint.sh migrate   apply the SQL migrations and exit
#   edge-entrypoint.sh sweep …   the periodic sweep for edges without cron (node deploy/sweep.mjs …)
#   edge-entrypoint.sh <cmd> …   anything else is run as is
#
# Settings come from the environment: the edge's bindings (deploy/workerd/README.md), plus
#   MIGRATE_DATABASE_URL   PostgreSQL itself for the migrations (they take a session advisory
#                          lock, which a transaction pooler cannot hold); default: DATABASE_URL
#   BROWSERPANE_MIGRATE    1 = `serve` applies the migrations first
#   EDGE_LISTEN            address workerd listens on (default: 0.0.0.0:8787)
#   WORKERD_PATH           the workerd binary (default: the one of the installed npm package)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

migrate() {
  local url="${MIGRATE_DATABASE_URL:-${DATABASE_URL:-}}"
  if [ -z "$url" ]; then
    echo "edge-entrypoint: set MIGRATE_DATABASE_URL (or DATABASE_URL) to migrate" >&2
    exit 2
  fi
  DATABASE_URL="$url" node --import tsx edge/local/migrate-cli.ts
}

serve() {
  # The worker bundle and the console (the config's ASSETS directory, relative to this directory).
  local built
  for built in deploy/workerd/dist/worker.js deploy/workerd/dist/console/index.html; do
    if [ ! -f "$built" ]; then
      echo "edge-entrypoint: $root/$built is missing; build it with: npm run build:workerd -w @browserpane/edge" >&2
      exit 2
    fi
  done
  if [ -z "${DATABASE_URL:-}" ]; then
    echo "edge-entrypoint: DATABASE_URL is not set (postgres://… of the pooler in front of PostgreSQL)" >&2
    exit 2
  fi
  if [ "${BROWSERPANE_MIGRATE:-0}" = "1" ]; then migrate; fi
  local workerd="${WORKERD_PATH:-$(node -p "require('workerd').default")}"
  exec "$workerd" serve deploy/workerd/edge.capnp --socket-addr "http=${EDGE_LISTEN:-0.0.0.0:8787}"
}

command="${1:-serve}"
[ $# -gt 0 ] && shift
case "$command" in
  serve) serve ;;
  migrate) migrate ;;
  sweep) exec node deploy/sweep.mjs "$@" ;;
  *) exec "$command" "$@" ;;
esac
