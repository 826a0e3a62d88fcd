# syntax=docker/dockerfile:1
# A BrowserPane host: the host agent (host-pool) with Xvfb, Chromium and PulseAudio, one runtime
# per session. Build from the repository root:
#   docker build -f deploy/images/host.Dockerfile -t browserpane/host .
#   docker build --build-arg HTTP3=0 …   # skip the optional HTTP/3 (QUIC) transport
# Run (settings: `docker run --rm browserpane/host --help`):
#   docker run --shm-size 2g -p 4443:4443/tcp -p 4443:4443/udp \
#     --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#     --security-opt systempaths=unconfined --device /dev/net/tun \
#     -e EDGE_URL=https://edge.example.com -e HOST_ENROLLMENT_TOKEN=… \
#     -e RELAY_PUBLIC_URL=https://host1.example.com:4443 browserpane/host
# The --security-opt and --device flags let the agent sandbox each session (SECURITY.md): Docker's
# default seccomp and AppArmor profiles refuse the user namespaces and mounts bubblewrap makes,
# its masked /proc paths refuse a fresh /proc, and pasta needs /dev/net/tun (mode 0666 on the host,
# the Debian default). Without them the agent starts no session and logs why.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm AS build
# Build tools come with this image: native modules without a prebuilt binary compile here.
WORKDIR /opt/browserpane
# npm 11 honours the repository's allowScripts policy (package.json), as on developer machines.
RUN npm install -g npm@11.19.1
# Every workspace's manifest, so npm sees the whole workspace set of the lock file.
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY openapi/package.json openapi/
COPY edge/package.json edge/
COPY host-pool/package.json host-pool/
COPY client/package.json client/
COPY workers/mcp-bridge/package.json workers/mcp-bridge/
COPY workers/wb-browser-runtime/package.json workers/wb-browser-runtime/
COPY workers/cli/package.json workers/cli/
COPY workers/workflow-worker/package.json workers/workflow-worker/
COPY workers/recording-worker/package.json workers/recording-worker/
# `npm install` follows the lock exactly; `npm ci` refuses this lock (it lacks other platforms'
# optional binaries, see deploy/local/bootstrap.mjs). Only the host agent's dependencies, the
# recording worker's the agent starts beside it (RECORDING_WORKER), and the root's tools (tsx).
RUN npm install --workspace @browserpane/host-pool --workspace @browserpane/recording-worker \
      --include-workspace-root --no-audit --no-fund
# WebTransport over HTTP/3 (UDP) needs the optional quiche transport, a native module fetched or
# built at install time. Without it the relay serves WebTransport over WebSocket/HTTP2 (TCP) only.
ARG HTTP3=1
RUN if [ "$HTTP3" = "1" ]; then \
      npm install --no-save --no-audit --no-fund --workspace @browserpane/host-pool \
        @fails-components/webtransport-transport-http3-quiche@1.6.8 \
      || echo "warning: HTTP/3 transport not installed; the relay will serve TCP only" >&2; \
    fi
COPY tsconfig.base.json ./
COPY protocol/ protocol/
COPY openapi/ openapi/
COPY host-pool/ host-pool/
# The recording worker composes the picture with the browser client's renderer.
COPY client/ client/
COPY workers/recording-worker/ workers/recording-worker/

FROM node:${NODE_VERSION}-bookworm-slim
# Xvfb, Chromium, PulseAudio, fonts (Latin, CJK, emoji), openssl, bubblewrap, passt, iproute2:
# the repository's one list of system packages, host role (no PostgreSQL or PgBouncer).
COPY deploy/local/system-packages.sh /tmp/system-packages.sh
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini ca-certificates \
  && bash /tmp/system-packages.sh --role host \
  && bash /tmp/system-packages.sh --role host --check \
  && rm -rf /var/lib/apt/lists/* /tmp/system-packages.sh

WORKDIR /opt/browserpane
COPY --from=build /opt/browserpane /opt/browserpane
# The agent runs as the unprivileged `node` user with no capabilities. Each session still gets a
# sandbox (user, mount, PID, IPC and network namespaces; Chromium's own sandbox on), but all
# sessions share the `node` user on the host: a bare host with the systemd unit (root agent) gives
# each session a user of its own (SECURITY.md, "Root or not").
RUN install -d -o node -g node -m 0750 /var/lib/browserpane
USER node
ENV HOST_DATA_DIR=/var/lib/browserpane \
    RELAY_PORT=4443 \
    CHROMIUM_PATH=/usr/bin/chromium
VOLUME ["/var/lib/browserpane"]
# Relay: TLS on TCP (WebTransport over WebSocket/HTTP2, CDP gateway, /healthz) and UDP (HTTP/3).
EXPOSE 4443/tcp 4443/udp
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "require('https').get({host:'127.0.0.1',port:process.env.RELAY_PORT||4443,path:'/healthz',rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
# tini reaps the X servers, browsers and audio helpers the agent starts, and forwards signals.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--import", "tsx", "host-pool/src/main.ts"]
