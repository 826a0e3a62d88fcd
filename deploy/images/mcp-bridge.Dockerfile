# syntax=docker/dockerfile:1
# The MCP bridge (workers/mcp-bridge): an MCP server whose browser tools drive a delegated session
# through the host's CDP gateway. It never starts a browser of its own. Build from the repository root:
#   docker build -f deploy/images/mcp-bridge.Dockerfile -t browserpane/mcp-bridge .
# Settings: workers/mcp-bridge/README.md (`docker run --rm browserpane/mcp-bridge --help`).
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm AS build
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
# `npm install` follows the lock exactly (`npm ci` refuses this lock, see deploy/local/bootstrap.mjs).
RUN npm install --workspace @browserpane/mcp-bridge --no-audit --no-fund
COPY tsconfig.base.json ./
COPY openapi/ openapi/
COPY workers/mcp-bridge/ workers/mcp-bridge/

FROM node:${NODE_VERSION}-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/browserpane
COPY --from=build /opt/browserpane /opt/browserpane
USER node
# In a container the bridge listens on every interface (its Host guard still applies:
# MCP_BRIDGE_ALLOWED_HOSTS names the addresses clients use).
ENV MCP_BRIDGE_HOST=0.0.0.0 \
    MCP_BRIDGE_PORT=8931
EXPOSE 8931
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.MCP_BRIDGE_PORT||8931)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "workers/mcp-bridge/bin/mcp-bridge.js"]
