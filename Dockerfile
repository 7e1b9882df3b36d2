# syntax=docker/dockerfile:1
# The fleet's production image: the gateway, barcode and delivery services, the migrate step and
# the admin CLI, compiled to JavaScript (npm run build) on production dependencies only.
# docker-compose.yml picks each with its command; see docs/operations.md.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
# tini: PID 1, passes SIGTERM on and reaps; openssl: Prisma's CLI (the migrate step) finds its
# schema engine by the system's libssl.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini openssl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1 NPM_CONFIG_UPDATE_NOTIFIER=false

# Every dependency, the Prisma client, the bundle in dist/ (swc, seconds).
FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json prisma.config.ts ./
COPY prisma ./prisma
COPY libs ./libs
COPY apps ./apps
COPY scripts ./scripts
RUN npm run build

# Production dependencies only. npm keeps Prisma's CLI here (an optional peer of @prisma/client),
# which the migrate step runs; `prisma version` fetches its schema engine now, not at deploy time.
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npx prisma version \
 && npm cache clean --force

FROM base AS runtime
ENV NODE_ENV=production NODE_OPTIONS=--enable-source-maps
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The migrate step's inputs: the schema and the committed migrations (never the dev seed).
COPY package.json prisma.config.ts ./
COPY prisma/schema.prisma ./prisma/schema.prisma
COPY prisma/migrations ./prisma/migrations
USER node
# Partner API and carrier reports; the ops port (metrics, readiness, Bull Board).
EXPOSE 3000 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "dist/scripts/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/gateway/src/main.js"]
