#!/usr/bin/env bash
# Serves the Spirit site made by setup.sh: gunicorn, 2 sync workers, 127.0.0.1:PORT, in the
# foreground (exec, so a SIGTERM to this script's pid stops gunicorn), logging only errors.
#
#   bench/spirit/serve.sh PORT
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${1:?usage: serve.sh PORT}"
SITE="$HERE/site"
[[ -x "$HERE/.venv/bin/gunicorn" && -f "$SITE/db.sqlite3" ]] || { echo "run bench/spirit/setup.sh first" >&2; exit 1; }

export DJANGO_SETTINGS_MODULE=kringbench.settings
exec "$HERE/.venv/bin/gunicorn" spiritsite.wsgi:application \
    --chdir "$SITE" --pythonpath "$HERE,$SITE" \
    --bind "127.0.0.1:$PORT" --workers 2 --worker-class sync \
    --log-level error
