#!/usr/bin/env bash
# `make loadtest`: 200 researchers for 60 s against gunicorn on 127.0.0.1, on the seeded data
# plus 100,000 generated meetings, while analysts save a few times a minute (loadtest/saves.py).
# Fails if any request failed. See loadtest/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
USERS=${LOADTEST_USERS:-200}
SPAWN_RATE=${LOADTEST_SPAWN_RATE:-50}
RUN_TIME=${LOADTEST_RUN_TIME:-60s}
export LOADTEST_WAIT=${LOADTEST_WAIT:-1,3}
MEETINGS=${LOADTEST_MEETINGS:-100000}
WORKERS=${LOADTEST_WORKERS:-3}
THREADS=${LOADTEST_THREADS:-8}
# Each worker's share of the users' keep-alive connections: a gthread worker otherwise accepts
# as many as it can, and one worker served most users while the others idled (README.md).
WORKER_CONNECTIONS=${LOADTEST_WORKER_CONNECTIONS:-$(( (USERS + WORKERS - 1) / WORKERS ))}
export LOADTEST_SAVES_PER_MINUTE=${LOADTEST_SAVES_PER_MINUTE:-3}
# Saves must reach every worker's cache: a shared one (flushed below, so the run starts cold).
export CACHE_URL=${LOADTEST_CACHE_URL:-redis://127.0.0.1:6379/2}
PORT=${LOADTEST_PORT:-8311}
DB=${LOADTEST_DB:-bench/data/loadtest.sqlite3}
HOST="http://127.0.0.1:$PORT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=loadtest/results/$STAMP

export DATABASE_URL=${LOADTEST_DATABASE_URL:-sqlite:///$PWD/$DB}
export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY
DJANGO_SECRET_KEY=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false DJANGO_HSTS_SECONDS=0
export DJANGO_STATIC_MANIFEST=false
# The load is one address; the throttle must not answer 429 to it.
export PACTA_API_ANON_RATE=100000000/second
export PACTA_HTML_ANON_RATE=100000000/second

mkdir -p "$(dirname "$DB")" loadtest/results
"$BIN/python" manage.py migrate --no-input -v 0
if [ "$("$BIN/python" manage.py shell -v 0 -c 'from summits.models import Meeting; print(Meeting.objects.count())')" -lt "$MEETINGS" ]; then
    echo "Building the load-test database: seed + generate_data --meetings $MEETINGS"
    "$BIN/python" manage.py seed >/dev/null
    "$BIN/python" manage.py generate_data --meetings "$MEETINGS" --seed 0
fi

if [[ "$CACHE_URL" == redis://* ]]; then
    "$BIN/python" -c 'import os, redis; redis.Redis.from_url(os.environ["CACHE_URL"]).flushdb()'
fi

"$BIN/gunicorn" config.wsgi:application --bind "127.0.0.1:$PORT" \
    --workers "$WORKERS" --worker-class gthread --threads "$THREADS" --timeout 30 \
    --worker-connections "$WORKER_CONNECTIONS" \
    --log-level warning --error-logfile "$OUT-gunicorn.log" &
GUNICORN=$!
"$BIN/python" loadtest/saves.py > "$OUT-saves.log" 2>&1 &
SAVES=$!
# Always stop the server and the analysts, whatever happens below.
trap 'kill "$SAVES" "$GUNICORN" 2>/dev/null || true; wait "$SAVES" "$GUNICORN" 2>/dev/null || true' EXIT

for _ in $(seq 1 60); do
    curl -fsS "$HOST/healthz" >/dev/null 2>&1 && break
    sleep 1
done
curl -fsS "$HOST/healthz" >/dev/null

status=0
"$BIN/locust" -f loadtest/locustfile.py --headless --host "$HOST" \
    --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" --stop-timeout 10 \
    --csv "$OUT" --only-summary --loglevel WARNING || status=$?
"$BIN/python" loadtest/summarize.py "$OUT" "users=$USERS wait=${LOADTEST_WAIT}s spawn_rate=$SPAWN_RATE run_time=$RUN_TIME meetings=$MEETINGS gunicorn=${WORKERS}x${THREADS} worker_connections=$WORKER_CONNECTIONS database=${DATABASE_URL%%:*} saves=${LOADTEST_SAVES_PER_MINUTE}/min cache=${CACHE_URL%%:*}" \
    > "$OUT.md"
kill "$SAVES" 2>/dev/null || true
wait "$SAVES" 2>/dev/null || true
echo "" >> "$OUT.md"
echo "Analysts: $(tail -n 1 "$OUT-saves.log")" >> "$OUT.md"
cat "$OUT.md"
# locust exits non-zero when any request failed; so does this target.
exit "$status"
