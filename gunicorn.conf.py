"""Gunicorn settings for `make serve` and production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be changed through the environment (see README, "Deployment").
"""

import multiprocessing
import os


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def default_workers(cores: int) -> int:
    """Return gunicorn's usual 2 x cores + 1, capped so big machines do not open too many DB connections."""
    return min(2 * cores + 1, 12)


# Loopback unless told otherwise: a reverse proxy (nginx, Caddy, a load balancer) terminates HTTPS in front.
bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", default_workers(multiprocessing.cpu_count()))
# "sync" answers one request per connection and closes it; GUNICORN_WORKER_CLASS=gthread with
# GUNICORN_THREADS keeps connections open (keepalive) for clients that send several requests on one.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "").strip() or "sync"
threads = _int("GUNICORN_THREADS", 1)
# A search answers in milliseconds; a request still running after this is stuck, and its worker is replaced.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak cannot grow without bound. Not often: a new worker
# starts with cold caches, and at 2,000 requests busy workers restarted every 20 seconds or so, all
# within a second or two of each other; a wide jitter spreads the restarts out.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 5_000)
# Load the app once in the master and warm it (directory/warmup.py) before forking the workers, so each
# starts with the search index's per-segment data and compiled templates instead of building its own.
# Workers still open their own database connections and index files. GUNICORN_PRELOAD=0 loads the app
# in each worker instead (needed for `--reload`; a HUP then reloads the code too).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() not in ("0", "false", "no", "off")

# The app writes one JSON line per request itself (directory/logging.py), so gunicorn's access log is off
# unless ACCESS_LOG names a file or "-". When on, it has no query string (%(U)s is the path alone: search
# terms and postcodes stay out of logs), no client address and no referrer or user agent.
accesslog = os.environ.get("ACCESS_LOG") or None
access_log_format = (
    '{"event":"access","method":"%(m)s","path":"%(U)s","status":%(s)s,"duration_ms":%(M)s,"bytes":"%(B)s"}'
)
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Headers a trusted proxy sets; the app decides how far to trust them (TRUSTED_PROXIES, ProxyFix).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Python's cyclic garbage collector, tuned for a worker that holds a large, long-lived heap (the app,
# its search caches) and makes many short-lived objects per request: everything loaded so far is
# moved out of the collector's sight (gc.freeze), and young-object collections run less often, so a
# full collection no longer walks every cached listing every few hundred requests.
GC_THRESHOLD = (_int("GC_GEN0_THRESHOLD", 10_000), 20, 20)


def on_starting(server):
    """Refuse to start production with several workers that would each count sign-in attempts alone."""
    from config import config_for_environment
    from directory.security import shared_limits_problem

    settings = config_for_environment()  # as the app will see it: the same environment, the same class
    values = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
    problem = shared_limits_problem(values, server.cfg.workers)
    if problem:
        raise RuntimeError(problem)  # gunicorn prints it and exits before forking a worker


def when_ready(server):
    """In the master, before the first fork: warm the preloaded app, then freeze what it holds."""
    if preload_app:
        import gc

        from directory.warmup import warm

        warm(server.app.wsgi())
        gc.freeze()  # and the workers' collectors never walk (and so never copy) the shared pages


def post_worker_init(worker):
    import gc

    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
