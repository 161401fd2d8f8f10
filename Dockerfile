# The Muster controller as a container image: built in one stage, run from a slim one with the
# production dependencies alone, as the unprivileged user `node` (uid 1000).
#   docker build -t muster:0.1.0 .
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY lib ./lib
COPY protocol ./protocol
COPY controller ./controller
COPY agent ./agent
COPY scripts ./scripts
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# git for the git source and plan --base; ssh for ssh:// remotes.
RUN apt-get update && apt-get install -y --no-install-recommends git openssh-client ca-certificates && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
# glibc's allocator: two arenas, large blocks handed back when freed (controller/runtime/malloc-settings.ts).
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /opt/muster
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY crds ./crds
USER 1000:1000
# SQLite (for a trial run) and the git clone live here; PostgreSQL is the store for real use.
WORKDIR /var/lib/muster
EXPOSE 8080
ENTRYPOINT ["node", "--single-threaded-gc", "/opt/muster/dist/controller/cli/main.js"]
CMD ["controller", "--repo", "/fleet", "--listen", "0.0.0.0:8080"]
