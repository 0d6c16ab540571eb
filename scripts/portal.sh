#!/usr/bin/env bash
# The whole portal: services, web app, harvest consumers and scheduler, jobs worker.
#   portal.sh run    install, start, initialise, serve in the foreground; Ctrl-C stops
#                    everything this call started
#   portal.sh up     the same in the background; returns once the portal answers
#   portal.sh down   stops the portal's processes and the services the project started
set -euo pipefail
source "$(dirname "$0")/env.sh"

CKAN=("$GE_VENV/bin/ckan" -c "$GE_CKAN_INI")
PROCS=(web gather fetch scheduler worker peers)

alive() { [ -f "$GE_PID_DIR/$1.pid" ] && kill -0 "$(cat "$GE_PID_DIR/$1.pid")" 2>/dev/null; }

spawn() { # NAME COMMAND... — in its own process group so that stopping it stops its children
  local name=$1; shift
  alive "$name" && return 0
  setsid "$@" >>"$GE_LOG_DIR/$name.log" 2>&1 < /dev/null &
  echo $! > "$GE_PID_DIR/$name.pid"
}

start_processes() {
  # Local servers playing the partners' platforms, for the demo harvest sources.
  spawn peers "$GE_VENV/bin/python" -m ckanext.grandest_harvesters.peers --host "$GE_HOST" \
    --port "$GE_PEERS_PORT" --legacy-page-size 500
  spawn gather "${CKAN[@]}" harvester gather-consumer
  spawn fetch "${CKAN[@]}" harvester fetch-consumer
  spawn worker "${CKAN[@]}" jobs worker
  # The scheduler loop: harvest jobs, and the consultations' weekly publication round
  # (publish-due does its round once every ckanext.consultation.publication.schedule_days).
  spawn scheduler bash -c "while true; do ${CKAN[*]} harvester run; ${CKAN[*]} consultation publish-due; sleep $GE_HARVEST_INTERVAL; done"
  spawn web "${CKAN[@]}" run --host "$GE_HOST" --port "$GE_CKAN_PORT" --threaded --disable-reloader
}

stop_processes() {
  for name in "${PROCS[@]}"; do
    alive "$name" && kill -TERM -- "-$(cat "$GE_PID_DIR/$name.pid")" 2>/dev/null || true
  done
  for name in "${PROCS[@]}"; do
    for _ in $(seq 1 40); do alive "$name" || break; sleep 0.25; done
    alive "$name" && kill -KILL -- "-$(cat "$GE_PID_DIR/$name.pid")" 2>/dev/null || true
    rm -f "$GE_PID_DIR/$name.pid"
  done
}

wait_for_portal() {
  for _ in $(seq 1 240); do
    curl -fsS "$GE_SITE_URL/api/3/action/status_show" >/dev/null 2>&1 && return 0
    alive web || { tail -n 30 "$GE_LOG_DIR/web.log" >&2; die "the web app stopped (log: $GE_LOG_DIR/web.log)"; }
    sleep 0.5
  done
  die "the portal did not answer at $GE_SITE_URL (log: $GE_LOG_DIR/web.log)"
}

start_all() { # MARK — services started by this call are recorded under MARK
  bash "$ROOT/scripts/install.sh"
  rm -f "$GE_PID_DIR/started-by-$1"
  GE_STARTED_BY=$1 bash "$ROOT/scripts/services.sh" start
  bash "$ROOT/scripts/init.sh"
  start_processes
  wait_for_portal
  # shellcheck disable=SC1091
  source "$GE_RUN_DIR/secrets.env"
  say "Open Data Grand Est is running at $GE_SITE_URL"
  echo "    sysadmin: $GE_ADMIN_USER / $GE_ADMIN_PASSWORD   (stored in $GE_RUN_DIR/secrets.env)"
  echo "    logs: $GE_LOG_DIR/   ckan CLI: bin/ckan --help"
}

case ${1:-} in
  run)
    mark=run-$$
    tail_pid=
    stop_started() {
      trap - INT TERM EXIT
      [ -z "$tail_pid" ] || kill "$tail_pid" 2>/dev/null || true
      echo; say "Stopping the portal"
      stop_processes
      [ -f "$GE_PID_DIR/started-by-$mark" ] && bash "$ROOT/scripts/services.sh" stop $(cat "$GE_PID_DIR/started-by-$mark")
      rm -f "$GE_PID_DIR/started-by-$mark"
      exit 0
    }
    trap stop_started INT TERM EXIT
    start_all "$mark"
    echo "    Ctrl-C stops everything"
    tail -n 0 -F "$GE_LOG_DIR/web.log" &
    tail_pid=$!
    while alive web; do sleep 1; done
    die "the web app stopped (log: $GE_LOG_DIR/web.log)"
    ;;
  up) start_all up ;;
  down)
    stop_processes
    bash "$ROOT/scripts/services.sh" stop
    rm -f "$GE_PID_DIR"/started-by-*
    ;;
  *) die "usage: portal.sh run|up|down" ;;
esac
