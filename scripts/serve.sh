#!/usr/bin/env bash
# Serve the application with gunicorn and run an RQ worker beside it; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}
.venv/bin/crm worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
echo "CRM emploi BFC : http://$HOST:$PORT/ (Ctrl-C pour arrêter)"
.venv/bin/gunicorn --bind "$HOST:$PORT" --workers "${WEB_WORKERS:-2}" --access-logfile - wsgi:app
