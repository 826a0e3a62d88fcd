# syntax=docker/dockerfile:1
# The BrowserPane edge on plain workerd (deploy/workerd/edge.capnp): no Cloudflare account needed.
# Build from the repository root:
#   docker build -f deploy/images/edge.Dockerfile -t browserpane/edge .
# Run (settings: deploy/workerd/README.md; the same image migrates and sweeps):
#   docker run -e DATABASE_URL=… -e MIGRATE_DATABASE_URL=… -e BROWSERPANE_MIGRATE=1 … browserpane/edge
#   docker run … browserpane/edge migrate        # migrations only
#   docker run … browserpane/edge sweep --every 60
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
# `npm install` follows the lock exactly; `npm ci` refuses this lock (it lacks other platforms'
# optional binaries, see deploy/local/bootstrap.mjs). Only the edge's dependencies, the client's
# (the console is built into the image) and the root's tools (tsx, esbuild).
RUN npm install --workspace @browserpane/edge --workspace @browserpane/client \
  --include-workspace-root --no-audit --no-fund
COPY tsconfig.base.json wrangler.toml ./
COPY protocol/ protocol/
COPY edge/ edge/
COPY client/ client/
COPY openapi/ openapi/
COPY migrations/ migrations/
COPY deploy/workerd/edge.capnp deploy/workerd/console-assets.js deploy/workerd/
COPY deploy/local/build-stamps.ts deploy/local/
COPY deploy/images/edge-entrypoint.sh deploy/images/
COPY deploy/sweep.mjs deploy/
# The worker bundle and the console it serves as ASSETS (deploy/workerd/dist/console).
RUN npm run build:workerd -w @browserpane/edge \
  && test -s deploy/workerd/dist/worker.js \
  && test -s deploy/workerd/dist/console/index.html \
  && test -s deploy/workerd/dist/console/console.js

FROM node:${NODE_VERSION}-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/browserpane
COPY --from=build /opt/browserpane /opt/browserpane
# workerd needs glibc ≥ 2.35 (bookworm has 2.36) and nothing else from the system.
RUN node -e "require('fs').accessSync(require('workerd').default, require('fs').constants.X_OK)"
USER node
EXPOSE 8787
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const p=(process.env.EDGE_LISTEN||':8787').split(':').pop();fetch('http://127.0.0.1:'+p+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/browserpane/deploy/images/edge-entrypoint.sh"]
CMD ["serve"]
