# ThunderDB server image. Build: docker build -t thunderdb .
# Run:   docker run -p 5432:5432 -p 6379:6379 -p 8080:8080 -v thunder-data:/data thunderdb
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node_modules/.bin/deno cache server.ts

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
ENV THUNDERDB_SERVER_LISTEN_ADDR=0.0.0.0 \
    THUNDERDB_SERVER_DATA_DIR=/data
VOLUME /data
EXPOSE 5432 3306 6379 8080
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8080/admin/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
ENTRYPOINT ["node_modules/.bin/deno", "run", "--allow-all", "--unstable-ffi", "server.ts"]
