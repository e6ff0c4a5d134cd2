#!/usr/bin/env bash
# Host a Django Lab classroom: gunicorn app servers behind nginx, sharing PostgreSQL and Redis.
#
#   deploy/classroom.sh start      one machine: the app servers (LAB_APP_PORTS) and nginx in front
#   deploy/classroom.sh app        this machine is one app server of several (binds LAB_APP_HOST)
#   deploy/classroom.sh balancer   this machine runs only nginx, in front of LAB_UPSTREAMS
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
LAB_APP_PORTS=${LAB_APP_PORTS:-"8001 8002"}        # one gunicorn per port on this machine
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

prepare() {
  mkdir -p "$RUN_DIR"
  "$PYTHON" manage.py migrate --noinput -v0
  "$PYTHON" manage.py createcachetable
  "$PYTHON" manage.py collectstatic --noinput -v0
  "$PYTHON" manage.py check --deploy --fail-level ERROR -v0
}

start_apps() {
  for port in $LAB_APP_PORTS; do
    GUNICORN_BIND="$LAB_APP_HOST:$port" GUNICORN_NAME="django-lab-$port" "$GUNICORN" \
      -c deploy/gunicorn.conf.py config.wsgi --daemon \
      --pid "$RUN_DIR/gunicorn-$port.pid" --error-logfile "$RUN_DIR/gunicorn-$port.log"
    echo "app server on $LAB_APP_HOST:$port (log: $RUN_DIR/gunicorn-$port.log)"
  done
}

start_balancer() {
  local prefix="$RUN_DIR/nginx" servers=""
  mkdir -p "$prefix"
  for server in $(upstreams); do
    servers+="        server $server max_fails=3 fail_timeout=5s;"$'\n'
  done
  LAB_NGINX_PREFIX="$prefix" LAB_LISTEN="${LAB_LISTEN:-$LAB_PORT}" LAB_UPSTREAM_SERVERS="$servers" \
    LAB_DEPLOY_DIR="$ROOT/deploy" LAB_NGINX_RUN_RATE="${LAB_NGINX_RUN_RATE:-5r/s}" \
    LAB_NGINX_RUN_BURST="${LAB_NGINX_RUN_BURST:-20}" \
    envsubst '${LAB_NGINX_PREFIX} ${LAB_LISTEN} ${LAB_UPSTREAM_SERVERS} ${LAB_DEPLOY_DIR} ${LAB_NGINX_RUN_RATE} ${LAB_NGINX_RUN_BURST}' \
    <deploy/nginx.conf.template >"$prefix/nginx.conf"
  "$NGINX" -t -q -p "$prefix" -c "$prefix/nginx.conf"
  "$NGINX" -p "$prefix" -c "$prefix/nginx.conf"
  echo "nginx on port ${LAB_LISTEN:-$LAB_PORT}, in front of: $(upstreams)"
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
  for server in $(upstreams); do
    printf '%-22s ' "$server"; "$PYTHON" -c 'import sys, urllib.request as u; print(u.urlopen("http://" + sys.argv[1] + "/", timeout=3).status)' "$server" 2>&1 | tail -1
  done
  printf '%-22s ' "nginx :${LAB_PORT}"; "$PYTHON" -c 'import sys, urllib.request as u; print(u.urlopen("http://127.0.0.1:" + sys.argv[1] + "/", timeout=3).status)' "$LAB_PORT" 2>&1 | tail -1
}

case "${1:-}" in
  start)
    prepare
    start_apps
    for port in $LAB_APP_PORTS; do wait_for "127.0.0.1:$port"; done
    start_balancer
    ;;
  app)
    prepare
    start_apps
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
