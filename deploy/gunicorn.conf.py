"""gunicorn settings for one Django Lab app server (`gunicorn -c deploy/gunicorn.conf.py config.wsgi`).

Sized for a 2-core machine; every value can be overridden from the environment. Threads matter
more than processes here: a demo run holds its thread for up to LAB_RUN_TIME_LIMIT seconds, so
each worker has many more threads (GUNICORN_THREADS) than it may run demos at once
(LAB_PROCESS_RUNS, checked in lab.limits): lesson pages always find a free thread.
"""

import os
import sys

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # one per core
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Longer than the longest demo (time_limit up to 20 s) plus its clean-up; a stuck worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "45"))
graceful_timeout = 30
keepalive = 5  # nginx keeps connections to the app servers open (upstream keepalive)
# Replace a worker now and then, staggered, so slow growth of memory never adds up.
max_requests = 5000
max_requests_jitter = 500
# Trust X-Forwarded-Proto from the load balancer on this machine (https detection); the client
# address for per-address limits is read by the lab from X-Forwarded-For (LAB_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None  # the site logs one line per request that needs it
errorlog = "-"
# The site logs to stderr (failed requests with their traceback, lab.limits' warnings): into the error
# log with gunicorn's own lines, also when classroom.sh runs it as a daemon (else stderr is /dev/null).
capture_output = True
proc_name = os.environ.get("GUNICORN_NAME", "django-lab")
# gunicorn 27's control socket has one default path per user: several app servers on one machine would
# take it from each other. Nothing here uses it.
control_socket_disable = True


def post_worker_init(worker):
    # A demo is CPU-bound Python: with the default 5 ms switch interval a page thread waits for
    # the interpreter lock behind it at every I/O. 1 ms hands the lock over sooner.
    sys.setswitchinterval(float(os.environ.get("LAB_SWITCH_INTERVAL", "0.001")))
