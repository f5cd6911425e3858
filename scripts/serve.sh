#!/usr/bin/env bash
# Serve the application with gunicorn and run an RQ worker beside it. Ctrl-C (or SIGTERM) stops
# both, then the embedded Redis server they started (`make stop` remains for a crashed run).
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}
BIN=${CRM_BIN:-.venv/bin}
case "$HOST" in *:*) address="[$HOST]" ;; *) address=$HOST ;; esac
# Links in pages follow each request's address; e-mails sent by jobs use CRM_BASE_URL.
export CRM_BASE_URL=${CRM_BASE_URL:-http://$address:$PORT}
instance=${CRM_INSTANCE_PATH:-$PWD/instance}
worker=""
web=""

stop_embedded_redis() {
    # Only the embedded server (no REDIS_URL) lives and dies with this run.
    [ -z "${REDIS_URL:-}" ] || return 0
    local pidfile="$instance/redis.pid" pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile" 2>/dev/null || true)
    case "$pid" in '' | *[!0-9]*) return 0 ;; esac
    # A stale pid file must not make us kill someone else's process.
    grep -q "redis-server" "/proc/$pid/cmdline" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

running() {
    # A child that has exited stays a zombie until waited for: it no longer runs.
    local state
    state=$(cut -d')' -f2 "/proc/$1/stat" 2>/dev/null | cut -d' ' -f2) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

any_running() {
    local pid
    for pid in "$@"; do running "$pid" && return 0; done
    return 1
}

wait_for_exit() {
    # Polls rather than `wait`: inside a trap that interrupted `wait`, bash may never return from it.
    local tenths=$1
    shift
    for _ in $(seq "$tenths"); do
        any_running "$@" || return 0
        sleep 0.1
    done
    ! any_running "$@"
}

stop_children() {
    # Ask politely, give them STOP_GRACE_SECONDS to finish their request or job, then kill.
    local pid
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait_for_exit $((${STOP_GRACE_SECONDS:-20} * 10)) "$@" && return 0
    for pid in "$@"; do
        running "$pid" || continue
        echo "Arrêt forcé du processus $pid."
        kill -KILL "$pid" 2>/dev/null || true
    done
    wait_for_exit 50 "$@" || true
}

cleanup() {
    trap - EXIT INT TERM
    # Web and worker first: either would start the embedded Redis again on demand.
    # shellcheck disable=SC2086  # empty when not started yet
    stop_children $web $worker
    stop_embedded_redis
    echo "CRM emploi BFC arrêté."
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$BIN/crm" worker &
worker=$!
echo "CRM emploi BFC : http://$address:$PORT/ (Ctrl-C pour arrêter)"
# gthread: each worker answers several requests at once (a request waiting on the database or
# Redis does not hold the others); docs/operations.md gives the production settings.
"$BIN/gunicorn" --bind "$HOST:$PORT" --workers "${WEB_WORKERS:-2}" --worker-class gthread \
    --threads "${WEB_THREADS:-4}" --access-logfile - wsgi:app &
web=$!
# `wait` returns as soon as a trapped signal arrives, so the trap runs at once.
wait "$web"
