# pointwatch: poller (fping + SNMP), alerting, API and web UI, as `pointwatch run`.
# Runs the TypeScript through tsx (no build step), like `npx pointwatch`; bin/pointwatch.js
# is started through its shebang, which carries the V8 flags and malloc setting the benchmark measured.
FROM node:20-bookworm-slim

# ICMP needs a raw socket: the unprivileged user runs fping setuid (compose also grants NET_RAW)
RUN apt-get update \
 && apt-get install -y --no-install-recommends fping ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && chmod u+s /usr/bin/fping

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY dashboards ./dashboards
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
