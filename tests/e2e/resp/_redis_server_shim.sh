#!/usr/bin/env bash
# Stands in for `src/redis-server` when Redis's test suite starts servers itself
# (units whose tests are tagged external:skip). It reads the redis.conf the suite
# wrote, starts ThunderDB's server.ts on that port and directory, applies the
# other settings with CONFIG SET (settings ThunderDB does not know are left
# out), and prints the two log lines the suite waits for. server.ts replaces
# this script's process, so the suite's signals (and SIGKILL) reach it directly.
# Environment: THUNDER_DENO (the deno binary) and THUNDER_SERVER (server.ts).
set -u
conf="$1"
port=""
dir="."
pass=""
maxclients=""
debugcmd=""
aclfile=""
settings=()
users=()
while read -r directive value; do
  case "$directive" in
    "" | \#*) ;;
    port) port="$value" ;;
    dir) dir="$value" ;;
    requirepass) pass="$value" ;;
    maxclients) maxclients="$value" ;;
    enable-debug-command) debugcmd="$value" ;;
    # Read at startup, as Redis reads it, relative to `dir`.
    aclfile) aclfile="$value" ;;
    # ACL users from the configuration: applied with ACL SETUSER once the server answers.
    user) users+=("$value") ;;
    # Files, logging and process settings belong to ThunderDB's own configuration.
    bind | unixsocket | logfile | pidfile | daemonize | dbfilename | appendonly | loglevel | \
      always-show-logo | enable-protected-configs | \
      enable-module-command | propagation-error-behavior | databases) ;;
    *) settings+=("$directive" "$value") ;;
  esac
done < "$conf"

# ThunderDB's own config file for this server (CONFIG REWRITE writes it; a restart reads it back).
toml="$dir/thunderdb.toml"
if [ ! -f "$toml" ]; then : > "$toml"; fi
args=(run --allow-all --unstable-ffi "$THUNDER_SERVER" --config "$toml" --data-dir "$dir/thunderdb"
  "--resp-port=$port" --pg-port=0 --mysql-port=0 --http-port=0)
if [ -n "$pass" ]; then
  args+=(--set security.authentication_enabled=true --set "security.superuser_password=$pass")
fi
if [ -n "$maxclients" ]; then args+=(--set "resp.maxclients=$maxclients"); fi
if [ -n "$debugcmd" ]; then args+=(--set "resp.enable_debug_command=$debugcmd"); fi
if [ -n "$aclfile" ]; then
  case "$aclfile" in
    /*) ;;
    *) aclfile="$(cd "$dir" && pwd)/$aclfile" ;;
  esac
  args+=(--set "resp.aclfile=$aclfile")
fi

cli=(redis-cli -p "$port" --no-auth-warning)
if [ -n "$pass" ]; then cli+=(-a "$pass"); fi
server=$$
# Once server.ts answers: apply the settings and print the lines the suite waits for. This runs
# beside the server, which replaces this script (same PID), so signals reach it directly.
(
  for _ in $(seq 1 600); do
    if "${cli[@]}" PING 2>/dev/null | grep -q PONG; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then
      echo "Failed listening on port $port (tcp), aborting."
      exit 1
    fi
    sleep 0.1
  done
  for ((i = 0; i < ${#settings[@]}; i += 2)); do
    # A setting the suite wrote as a Tcl list ("{900 1}") is passed as one word.
    value="${settings[i + 1]}"
    value="${value#\{}"
    value="${value%\}}"
    "${cli[@]}" CONFIG SET "${settings[i]}" "$value" > /dev/null 2>&1 || true
  done
  for line in "${users[@]}"; do
    # As Redis reads a `user` directive: a fresh user, then its rules.
    line="${line#\{}"
    line="${line%\}}"
    line="${line#\"}"
    line="${line%\"}"
    read -r -a words <<< "$line"
    "${cli[@]}" ACL SETUSER "${words[0]}" reset "${words[@]:1}" > /dev/null 2>&1 || true
  done
  echo "ThunderDB standing in for redis-server. PID: $server"
  echo "Ready to accept connections"
) &
# Its log (stderr) goes where the suite reads redis-server's log lines: stdout.
exec "$THUNDER_DENO" "${args[@]}" 2>&1
