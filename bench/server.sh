# Starting and stopping a `stratus` server for the bench/run-*.sh scripts (source this file).
#
#   start_server NAME LOG_PREFIX COMMAND...   runs COMMAND in the background, stdout and stderr to
#                                             LOG_PREFIX.stdout/.stderr; sets SERVER_PID, and SERVER_PORT from
#                                             its "listening on http://…:PORT/" line (waits up to 60 s; on failure
#                                             prints the server's last log lines, prefixed with NAME, and exits 1)
#   stop_server                               SIGTERM, then SIGKILL after 10 s

SERVER_PID=
SERVER_PORT=

start_server() {
  local name=$1 logs=$2
  shift 2
  "$@" >"$logs.stdout" 2>"$logs.stderr" </dev/null &
  SERVER_PID=$!
  SERVER_PORT=
  for _ in $(seq 1 600); do
    SERVER_PORT=$(sed -n 's|.*listening on http://[^ ]*:\([0-9][0-9]*\)/.*|\1|p' "$logs.stdout" | head -1)
    [ -n "$SERVER_PORT" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "$name: the server exited:" >&2; tail -20 "$logs.stderr" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name: no port printed after 60 s" >&2
  tail -20 "$logs.stderr" >&2
  exit 1
}

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  return 0
}
