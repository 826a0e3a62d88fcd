# syntax=docker/dockerfile:1
# PgBouncer (Debian's package) in transaction pooling mode, configured from the environment by
# deploy/images/pgbouncer-entrypoint.sh. Build from the repository root:
#   docker build -f deploy/images/pgbouncer.Dockerfile -t browserpane/pgbouncer .
FROM debian:bookworm-slim

RUN apt-get update \
  && apt-get install -y --no-install-recommends pgbouncer \
  && rm -rf /var/lib/apt/lists/*

COPY --chmod=0755 deploy/images/pgbouncer-entrypoint.sh /usr/local/bin/pgbouncer-entrypoint

# pgbouncer refuses to run as root; the package's postgres user runs it.
USER postgres
EXPOSE 6432
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${LISTEN_PORT:-6432}"]
ENTRYPOINT ["/usr/local/bin/pgbouncer-entrypoint"]
