# pointwatch: poller (fping + SNMP), alerting, API and web UI, as `pointwatch run`.
# Two stages on the current Node LTS: the first compiles the TypeScript (npm run build) and keeps
# only the production dependencies; the second runs dist/ through bin/pointwatch.js, whose shebang
# carries the V8 flags and malloc setting the benchmark measured. No tsx, no TypeScript at run time.

FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# better-sqlite3 is native: built here (python3, g++ are in this image) for this very Node
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY dashboards ./dashboards
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim

# ICMP needs a raw socket: the unprivileged user runs fping setuid (compose also grants NET_RAW)
RUN apt-get update \
 && apt-get install -y --no-install-recommends fping ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && chmod u+s /usr/bin/fping

WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY dashboards/json ./dashboards/json
COPY config ./config

ENV NODE_ENV=production \
    POINTWATCH_CONFIG=/app/config/pointwatch.example.yaml \
    POINTWATCH_DATA_DIR=/var/lib/pointwatch

RUN mkdir -p /var/lib/pointwatch/spool && chown -R node:node /var/lib/pointwatch
USER node
VOLUME ["/var/lib/pointwatch"]
EXPOSE 8080

ENTRYPOINT ["/usr/bin/tini", "--", "/app/bin/pointwatch.js"]
CMD ["run"]
