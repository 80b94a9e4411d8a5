# The xen-chatops image. Build and run (README, "Running it in a container"):
#   docker build -t xen-chatops .
#   docker run -it -v "$PWD/xen-chatops:/etc/xen-chatops:ro" -v xen-chatops-data:/data \
#     -e XEN_LEGACY_PASSWORD xen-chatops
# There is no Docker engine on the project's machines: .ci/run replays these steps without one
# (scripts/replay-dockerfile.ts) and starts the result. The replay runs RUN lines as written, and
# emulates only image setup it can name (apt-get, mkdir/chown of system paths); anything else in a
# RUN line that touches an absolute path makes it stop, so keep project commands relative.

ARG NODE_IMAGE=node:20-bookworm-slim

# Stage 1: install with the dev dependencies, compile TypeScript, then drop the dev dependencies.
FROM ${NODE_IMAGE} AS build
# better-sqlite3 is a native module: when no prebuilt binary can be downloaded, its install compiles
# it from source, which needs python3, make and g++. Only this stage has them.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY commands ./commands
COPY types ./types
RUN npm run build
# Pruning here, not `npm ci --omit=dev` in the runtime stage: the production tree is the same (one
# lockfile), but better-sqlite3 stays as compiled above, so the runtime needs no compiler and the
# module is built once. Both stages start from the same image, so its glibc and Node ABI match.
RUN npm prune --omit=dev --no-audit --no-fund

# Stage 2: the runtime, production dependencies and compiled code only, as the unprivileged `node`.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
# The simulator's scenarios: `docker run -it xen-chatops demo` works without any pool.
COPY scenarios ./scenarios
# The SQLite database (jobs, approvals, audit log): set store.dataDir to /data. The directory exists
# and belongs to `node` before VOLUME, so a new named volume starts out writable by the bot.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
# The configuration directory, mounted read-only: config.yaml, and secret files referenced relative
# to it (`password: { file: secrets/modern-pool-password }`).
WORKDIR /etc/xen-chatops
# /healthz, when the configuration sets http.port to 9464. The probe uses node itself: slim images
# have no curl or wget.
ENV XEN_CHATOPS_HEALTH_URL=http://127.0.0.1:9464/healthz
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "-e", "fetch(process.env.XEN_CHATOPS_HEALTH_URL, { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/xen-chatops.js"]
CMD ["--config", "/etc/xen-chatops/config.yaml"]
