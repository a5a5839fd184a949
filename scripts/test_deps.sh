#!/bin/sh
# Installs the real peers the end-to-end tests talk to (psql, pgbench, a
# PostgreSQL 15 server, redis-cli, redis-benchmark, a Redis server, psycopg2,
# tclsh)
# from Debian's packages, when any is missing. Run by `npm test` before the
# suite; needs root (or sudo) the first time only.
set -eu

# Redis's own test suite (tcl), run against ThunderDB by
# tests/e2e/resp/redis_suite_test.ts: the source of the Redis version Debian
# bookworm ships, from the Debian archive, checked against the SHA-256 that
# Debian's redis_7.0.15-1~deb12u* .dsc lists for it.
redis_version="7.0.15"
redis_sha256="4b1dc4ee6d622a09fff9c6777191209750fb5e5a725ef78ea012d6eef4c22982"
redis_url="http://deb.debian.org/debian/pool/main/r/redis/redis_${redis_version}.orig.tar.gz"
root="$(cd "$(dirname "$0")/.." && pwd)"
suite="$root/.cache/redis-$redis_version"
fetch_redis_suite() {
  [ -f "$suite/tests/test_helper.tcl" ] && return 0
  mkdir -p "$root/.cache"
  archive="$root/.cache/redis_${redis_version}.orig.tar.gz"
  echo "Fetching Redis $redis_version's test suite from the Debian archive"
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL -o "$archive" "$redis_url"
  else
    python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
      "$redis_url" "$archive"
  fi
  echo "$redis_sha256  $archive" | sha256sum -c - >/dev/null
  rm -rf "$suite.tmp" && mkdir -p "$suite.tmp"
  tar -xzf "$archive" -C "$suite.tmp" --strip-components=1 "redis-$redis_version/tests"
  rm -rf "$suite" && mv "$suite.tmp" "$suite" && rm -f "$archive"
}

packages="postgresql postgresql-client redis-server redis-tools python3-psycopg2 tcl"
missing=""
command -v psql >/dev/null 2>&1 || missing="$missing postgresql-client"
command -v pgbench >/dev/null 2>&1 || missing="$missing postgresql-client"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v redis-cli >/dev/null 2>&1 || missing="$missing redis-tools"
python3 -c "import psycopg2" >/dev/null 2>&1 || missing="$missing python3-psycopg2"
command -v tclsh >/dev/null 2>&1 || missing="$missing tcl"
if [ -z "$missing" ]; then
  fetch_redis_suite
  exit 0
fi
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
fetch_redis_suite
