# One image for every role: ROLE=all (default), api or worker.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY . .
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
# Strategy scripts and the SQLite file (when used) live in volumes.
VOLUME ["/app/data", "/app/strategies"]
EXPOSE 3000
USER node
# The flags of `npm run serve` (package.json): a young generation of 64 MiB, see docs/development.md.
CMD ["node", "--no-node-snapshot", "--max-semi-space-size=64", "--enable-source-maps", "apps/server/dist/main.js"]
