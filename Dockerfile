# llmux: a small, non-root image. Build: docker build -t llmux .
# Run:   docker run -p 4000:4000 -v $PWD/llmux.yaml:/etc/llmux/llmux.yaml:ro llmux
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The web UI is an npm workspace: its package.json is part of the install.
COPY ui/package.json ./ui/
# --ignore-scripts: the `prepare` build needs the sources, which come next.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY ui ./ui
COPY scripts/build-ui.mjs scripts/vendor-bundle.mjs scripts/serve-bundle.mjs ./scripts/
# The server (compiled, then bundled as `npm run build` ships it: dist/bundle/llmux.js), then the web UI (dist/ui,
# served at /ui), then the build tools go.
RUN npx tsc -p tsconfig.build.json && node scripts/vendor-bundle.mjs && node scripts/serve-bundle.mjs \
  && node scripts/build-ui.mjs --force && npm prune --omit=dev --ignore-scripts

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    LLMUX_CONFIG=/etc/llmux/llmux.yaml
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
# The embedded store (SQLite) lives in a volume the unprivileged user owns; with store.url (PostgreSQL)
# nothing is written there.
RUN mkdir -p /var/lib/llmux /etc/llmux && chown node:node /var/lib/llmux && chmod 0700 /var/lib/llmux
VOLUME ["/var/lib/llmux"]
WORKDIR /var/lib/llmux
USER node
EXPOSE 4000
# GET /health on the port llmux listens on: PORT, else server.port of $LLMUX_CONFIG, else 4000.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "/app/dist/cli/healthcheck.js"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/bundle/llmux.js", "start", "--host", "0.0.0.0"]
