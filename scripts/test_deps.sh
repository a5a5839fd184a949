#!/bin/sh
# Installs the real peers the end-to-end tests talk to (psql, pgbench, a
# PostgreSQL 15 server, redis-cli, redis-benchmark, a Redis server, psycopg2)
# from Debian's packages, when any is missing. Run by `npm test` before the
# suite; needs root (or sudo) the first time only.
set -eu
packages="postgresql postgresql-client redis-server redis-tools python3-psycopg2"
missing=""
command -v psql >/dev/null 2>&1 || missing="$missing postgresql-client"
command -v pgbench >/dev/null 2>&1 || missing="$missing postgresql-client"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v redis-cli >/dev/null 2>&1 || missing="$missing redis-tools"
python3 -c "import psycopg2" >/dev/null 2>&1 || missing="$missing python3-psycopg2"
[ -z "$missing" ] && exit 0
echo "Installing test peers from Debian packages:$missing"
if [ "$(id -u)" = "0" ]; then
  run=""
elif command -v sudo >/dev/null 2>&1; then
  run="sudo"
else
  echo "The end-to-end tests need these Debian packages: $packages" >&2
  echo "Install them as root (apt-get install -y $packages) and run npm test again." >&2
  exit 1
fi
$run apt-get update -qq
DEBIAN_FRONTEND=noninteractive $run apt-get install -y -qq --no-install-recommends $packages >/dev/null
