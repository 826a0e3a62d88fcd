#!/usr/bin/env bash
# PgBouncer in transaction pooling mode in front of PostgreSQL, configured from the environment:
# the pooler the edge's DATABASE_URL points at (a Worker opens a connection per request).
#
#   DB_HOST, DB_PORT (5432), DB_NAME, DB_USER, DB_PASSWORD   the PostgreSQL server and account
#   LISTEN_PORT (6432), MAX_CLIENT_CONN (2000), DEFAULT_POOL_SIZE (20)
#   QUERY_WAIT_TIMEOUT (10 s): while PostgreSQL is down a request waits at most this long, then the
#     edge answers 503 database_unavailable (PgBouncer's default, 120 s, holds every request)
#   SERVER_LOGIN_RETRY (1 s): how soon the pooler logs in again once PostgreSQL is back
#
# Clients authenticate with the same user and password (SCRAM-SHA-256). The migrations do not go
# through here: they need a session (advisory lock), so they use PostgreSQL directly.
set -euo pipefail

: "${DB_HOST:?DB_HOST is required}"
: "${DB_NAME:?DB_NAME is required}"
: "${DB_USER:?DB_USER is required}"
: "${DB_PASSWORD:?DB_PASSWORD is required}"

dir="${PGBOUNCER_RUN_DIR:-/tmp/pgbouncer}"
mkdir -p "$dir"
umask 077
# userlist.txt: "user" "password", with any double quote doubled.
printf '"%s" "%s"\n' "${DB_USER//\"/\"\"}" "${DB_PASSWORD//\"/\"\"}" >"$dir/userlist.txt"
cat >"$dir/pgbouncer.ini" <<INI
[databases]
${DB_NAME} = host=${DB_HOST} port=${DB_PORT:-5432} dbname=${DB_NAME}

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = ${LISTEN_PORT:-6432}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = ${dir}/userlist.txt
pool_mode = transaction
max_client_conn = ${MAX_CLIENT_CONN:-2000}
default_pool_size = ${DEFAULT_POOL_SIZE:-20}
ignore_startup_parameters = extra_float_digits,options,application_name
server_reset_query =
query_wait_timeout = ${QUERY_WAIT_TIMEOUT:-10}
server_login_retry = ${SERVER_LOGIN_RETRY:-1}
log_connections = 0
log_disconnections = 0
log_pooler_errors = 1
INI

exec /usr/sbin/pgbouncer "$dir/pgbouncer.ini"
