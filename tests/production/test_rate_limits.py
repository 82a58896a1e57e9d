"""Rate limits: in memory per process by default, shared through Redis across workers and nodes."""

import json
import os
import subprocess
import sys
import uuid

from config import BASE_DIR, Config

# Run in a separate process: the limiter keeps its storage on one module-level object, so two apps in
# one process would share it even without Redis. Separate processes are what gunicorn workers are.
CLIENT = """
import json, sys
from tests.conftest import make_app
db_url, storage, prefix, count, path = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
app = make_app(db_url, "/nonexistent-index", RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage,
               RATELIMIT_DEFAULT="3 per minute", RATELIMIT_KEY_PREFIX=prefix)
client = app.test_client()
print(json.dumps([client.get(path).status_code for _ in range(count)]))
"""


def statuses(db_url: str, storage: str, prefix: str, count: int, path: str = "/") -> list[int]:
    """Make `count` requests from a fresh app process; return the status codes."""
    env = {**os.environ, "PYTHONPATH": str(BASE_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", CLIENT, db_url, storage, prefix, str(count), path],
        capture_output=True, text=True, timeout=60, cwd=BASE_DIR, env=env, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_limits_are_in_memory_by_default():
    assert Config.RATELIMIT_STORAGE_URI == "memory://" or os.environ.get("RATELIMIT_STORAGE_URI")


def test_in_memory_limits_are_per_process(app):
    db_url = app.config["SQLALCHEMY_DATABASE_URI"]
    prefix = f"test-{uuid.uuid4().hex}"
    assert statuses(db_url, "memory://", prefix, 2) == [200, 200]
    # A second process starts from nothing: without Redis each worker counts alone.
    assert statuses(db_url, "memory://", prefix, 4) == [200, 200, 200, 429]


def test_the_health_check_is_never_rate_limited(app):
    # Load balancers poll it from one address, far more often than any person would.
    db_url = app.config["SQLALCHEMY_DATABASE_URI"]
    assert set(statuses(db_url, "memory://", f"test-{uuid.uuid4().hex}", 5, "/healthz")) == {200}


def test_redis_limits_are_shared_across_app_instances(app, redis_url):
    import redis

    db_url = app.config["SQLALCHEMY_DATABASE_URI"]
    prefix = f"test-{uuid.uuid4().hex}"
    try:
        assert statuses(db_url, redis_url, prefix, 2) == [200, 200]
        # Another worker (or node) sees the two requests already counted: only one more is allowed.
        assert statuses(db_url, redis_url, prefix, 2) == [200, 429]
    finally:
        server = redis.Redis.from_url(redis_url)
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
