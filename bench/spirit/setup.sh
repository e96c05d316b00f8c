#!/usr/bin/env bash
# Sets up Spirit (django-spirit, Django, SQLite) as the peer for bench/web.py: the same shape as
# Kring's benchmark — 200 members, 1,000 topics, one topic of 101 posts. Idempotent: run it again
# and it only checks. Serve it with bench/spirit/serve.sh PORT.
#
#   bench/spirit/setup.sh            # PYTHON=python3.11 bench/spirit/setup.sh to choose the Python
#   bench/spirit/setup.sh --refill   # drop the database and fill again
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
SITE="$HERE/site"
PYTHON="${PYTHON:-python3}"

if [[ "${1:-}" == "--refill" ]]; then
    rm -f "$SITE/db.sqlite3" "$SITE/bench-urls.json"
    rm -rf "$SITE/st_search"
fi

# 1. The virtualenv with the pinned packages.
if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"

export PATH="$VENV/bin:$PATH"
export PYTHONPATH="$HERE:$SITE${PYTHONPATH:+:$PYTHONPATH}"
export DJANGO_SETTINGS_MODULE=kringbench.settings

# 2. The Spirit project (spirit startproject runs django-admin startproject with Spirit's template).
if [[ ! -f "$SITE/manage.py" ]]; then
    mkdir -p "$SITE"
    (cd "$HERE" && spirit startproject spiritsite --path "$SITE")
fi

# 3. Schema, static files, data.
manage() { (cd "$SITE" && python manage.py "$@"); }
manage migrate --noinput -v 0
manage collectstatic --noinput -v 0
python "$HERE/fill.py"
# The search index (Spirit indexes on save; the fill's bulk inserts send no signals).
if [[ ! -d "$SITE/st_search" ]]; then
    manage rebuild_index --noinput -v 0
fi
manage check >/dev/null

python - "$SITE/bench-urls.json" <<'PY'
import json, sys
urls = json.load(open(sys.argv[1]))
print("Spirit is ready. Serve it with bench/spirit/serve.sh PORT, then benchmark:")
print(f"  topic list:              http://127.0.0.1:PORT{urls['topic_list']}")
print(f"  101-post topic (1 page): http://127.0.0.1:PORT{urls['long_topic']}")
PY
