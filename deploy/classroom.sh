#!/usr/bin/env bash
# Host a Django Lab classroom: gunicorn app servers behind nginx, sharing PostgreSQL and Redis.
#
#   deploy/classroom.sh start      one machine: the app servers (LAB_APP_PORTS for pages, LAB_RUN_PORTS
#                                  for demo runs, at a lower CPU priority) and nginx in front
#   deploy/classroom.sh app        this machine is one app server of several (binds LAB_APP_HOST)
#   deploy/classroom.sh balancer   this machine runs only nginx, in front of LAB_UPSTREAMS (pages)
#                                  and LAB_RUN_UPSTREAMS (runs)
#   deploy/classroom.sh stop       stop whatever this script started here
#   deploy/classroom.sh status     ask each part whether it answers
#
# The site's own settings come from the environment as for `make serve` (DJANGO_SECRET_KEY,
# DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL...). No systemd needed: pid files and logs go to
# LAB_RUN_DIR. See README.md, "Hosting a classroom".
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

RUN_DIR=$(realpath -m "${LAB_RUN_DIR:-var/run}")
LAB_PORT=${LAB_PORT:-8000}                         # where learners connect (nginx)
LAB_APP_PORTS=${LAB_APP_PORTS:-"8001 8002"}        # one gunicorn per port for pages
LAB_RUN_PORTS=${LAB_RUN_PORTS-"8011 8012"}         # one gunicorn per port for demo runs ("": pages servers run them)
LAB_RUN_NICE=${LAB_RUN_NICE:-10}                   # run servers yield the CPU to page servers
LAB_APP_HOST=${LAB_APP_HOST:-127.0.0.1}            # 0.0.0.0 when the balancer is another machine
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
GUNICORN=${GUNICORN:-$ROOT/.venv/bin/gunicorn}
NGINX=${NGINX:-nginx}

export DJANGO_DEBUG=0
# The balancer's address: only it may say who the client is (X-Forwarded-For).
export LAB_TRUSTED_PROXIES=${LAB_TRUSTED_PROXIES:-127.0.0.1}

upstreams() {
  if [ -n "${LAB_UPSTREAMS:-}" ]; then echo "$LAB_UPSTREAMS"; return; fi
  for port in $LAB_APP_PORTS; do printf '127.0.0.1:%s ' "$port"; done
}

run_upstreams() {
  if [ -n "${LAB_RUN_UPSTREAMS:-}" ]; then echo "$LAB_RUN_UPSTREAMS"; return; fi
  if [ -z "$LAB_RUN_PORTS" ]; then upstreams; return; fi
  for port in $LAB_RUN_PORTS; do printf '127.0.0.1:%s ' "$port"; done
}

prepare() {
  mkdir -p "$RUN_DIR"
  "$PYTHON" manage.py migrate --noinput -v0
  "$PYTHON" manage.py createcachetable
  "$PYTHON" manage.py collectstatic --noinput -v0
  "$PYTHON" manage.py check --deploy --fail-level ERROR -v0
}

gunicorn_on() {  # a port, then what to run gunicorn under (nice, env VAR=...), if anything
  local port=$1
  shift
  "$@" env GUNICORN_BIND="$LAB_APP_HOST:$port" GUNICORN_NAME="django-lab-$port" "$GUNICORN" \
    -c deploy/gunicorn.conf.py config.wsgi --daemon \
    --pid "$RUN_DIR/gunicorn-$port.pid" --error-logfile "$RUN_DIR/gunicorn-$port.log"
}

start_apps() {
  for port in $LAB_APP_PORTS; do
    # One process per page server: pages are cached per process, and a warm-up fills that one cache.
    gunicorn_on "$port" env WEB_CONCURRENCY="${LAB_PAGE_WORKERS:-1}"
    echo "app server on $LAB_APP_HOST:$port (log: $RUN_DIR/gunicorn-$port.log)"
  done
  # Run servers: few threads, each worker running at most LAB_RUN_PROCESS_RUNS demos (others wait up to
  # LAB_RUN_QUEUE_SECONDS for it), at a lower CPU priority.
  for port in $LAB_RUN_PORTS; do
    gunicorn_on "$port" nice -n "$LAB_RUN_NICE" env GUNICORN_THREADS="${LAB_RUN_THREADS:-4}" \
      WEB_CONCURRENCY="${LAB_RUN_WORKERS:-2}" LAB_PROCESS_RUNS="${LAB_RUN_PROCESS_RUNS:-2}" \
      LAB_RUN_QUEUE_SECONDS="${LAB_RUN_QUEUE_SECONDS:-10}"
    echo "run server on $LAB_APP_HOST:$port, nice $LAB_RUN_NICE (log: $RUN_DIR/gunicorn-$port.log)"
  done
}

start_balancer() {
  local prefix="$RUN_DIR/nginx" servers=""
  mkdir -p "$prefix"
  local runs=""
  for server in $(upstreams); do
    servers+="        server $server max_fails=3 fail_timeout=5s;"$'\n'
  done
  for server in $(run_upstreams); do
    runs+="        server $server max_fails=3 fail_timeout=5s;"$'\n'
  done
  LAB_NGINX_PREFIX="$prefix" LAB_LISTEN="${LAB_LISTEN:-$LAB_PORT}" LAB_UPSTREAM_SERVERS="$servers" LAB_RUN_SERVERS="$runs" \
    LAB_DEPLOY_DIR="$ROOT/deploy" LAB_NGINX_RUN_RATE="${LAB_NGINX_RUN_RATE:-5r/s}" \
    LAB_NGINX_RUN_BURST="${LAB_NGINX_RUN_BURST:-20}" \
    envsubst '${LAB_NGINX_PREFIX} ${LAB_LISTEN} ${LAB_UPSTREAM_SERVERS} ${LAB_RUN_SERVERS} ${LAB_DEPLOY_DIR} ${LAB_NGINX_RUN_RATE} ${LAB_NGINX_RUN_BURST}' \
    <deploy/nginx.conf.template >"$prefix/nginx.conf"
  "$NGINX" -t -q -p "$prefix" -c "$prefix/nginx.conf"
  "$NGINX" -p "$prefix" -c "$prefix/nginx.conf"
  echo "nginx on port ${LAB_LISTEN:-$LAB_PORT}, pages: $(upstreams)runs: $(run_upstreams)"
}

warm_up() {  # every page once on every page server: the first learner on a lesson waits for no rendering
  DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings} "$PYTHON" - $LAB_APP_PORTS <<'PY'
import sys, urllib.error, urllib.request
sys.path.insert(0, ".")
import django
django.setup()
from lessons.catalogue import get_catalogue
catalogue = get_catalogue()
paths = ["/", "/demos/", "/no/such/page/"] + [t.url for t in catalogue.tracks] + [l.url for l in catalogue.lessons]
for port in sys.argv[1:]:
    for path in paths:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60).read()
        except urllib.error.HTTPError:
            pass  # the 404 page is cached too
    print(f"warmed {len(paths)} pages on :{port}")
PY
}

wait_for() {  # host:port, up to 20 s
  for _ in $(seq 200); do
    if (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing answers on $1" >&2
  return 1
}

stop_all() {
  local prefix="$RUN_DIR/nginx"
  if [ -f "$prefix/nginx.pid" ]; then "$NGINX" -p "$prefix" -c "$prefix/nginx.conf" -s quit && echo "nginx stopped"; fi
  for pidfile in "$RUN_DIR"/gunicorn-*.pid; do
    [ -f "$pidfile" ] || continue
    kill -TERM "$(cat "$pidfile")" && echo "stopped $(basename "$pidfile" .pid)"
  done
}

status() {
  for server in $(upstreams) $(run_upstreams); do
    printf '%-22s ' "$server"; "$PYTHON" -c 'import sys, urllib.request as u; print(u.urlopen("http://" + sys.argv[1] + "/", timeout=3).status)' "$server" 2>&1 | tail -1
  done
  printf '%-22s ' "nginx :${LAB_PORT}"; "$PYTHON" -c 'import sys, urllib.request as u; print(u.urlopen("http://127.0.0.1:" + sys.argv[1] + "/", timeout=3).status)' "$LAB_PORT" 2>&1 | tail -1
}

case "${1:-}" in
  start)
    prepare
    start_apps
    for port in $LAB_APP_PORTS $LAB_RUN_PORTS; do wait_for "127.0.0.1:$port"; done
    warm_up
    start_balancer
    ;;
  app)
    prepare
    start_apps
    for port in $LAB_APP_PORTS $LAB_RUN_PORTS; do wait_for "127.0.0.1:$port"; done
    warm_up
    ;;
  balancer)
    mkdir -p "$RUN_DIR"
    start_balancer
    ;;
  stop) stop_all ;;
  status) status ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
