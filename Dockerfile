# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run with production dependencies only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
COPY bench ./bench
COPY web ./web
RUN npm run build

FROM node:20-bookworm-slim AS runtime
# Production with secrets of its own may listen on every interface; the API listens on
# loopback otherwise, which a container's published port cannot reach.
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY data ./data
# The operators' commands (`npm run ingest`, `allocation:rebuild`, `archive`) run the compiled
# dist/ here: there is no source and no ts-node. `npm run archive` writes to archive/ by default.
COPY scripts ./scripts
RUN mkdir archive && chown node:node archive
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/v1/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "--max-old-space-size=1536", "--max-semi-space-size=32", "dist/src/main.js"]
