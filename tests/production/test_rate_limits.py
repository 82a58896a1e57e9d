"""Rate limits: in memory per process by default, shared through Redis across workers and nodes."""

import json
import os
import runpy
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from config import BASE_DIR, Config, ProductionConfig
from directory import create_app

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


SIGN_IN = """
import json, sys
from tests.conftest import make_app
db_url, storage, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
app = make_app(db_url, "/nonexistent-index", RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage,
               RATELIMIT_KEY_PREFIX=prefix)
client = app.test_client()
print(json.dumps([client.post("/account/sign-in", data={"email": "sam@example.org", "password": "guess"},
                              environ_base={"REMOTE_ADDR": "198.51.100.66"}).status_code
                  for _ in range(count)]))
"""


def test_sign_in_limits_hold_across_workers_sharing_redis(app, redis_url):
    import redis

    db_url = app.config["SQLALCHEMY_DATABASE_URI"]
    prefix = f"test-{uuid.uuid4().hex}"

    def wrong_passwords(count):
        env = {**os.environ, "PYTHONPATH": str(BASE_DIR)}
        result = subprocess.run(
            [sys.executable, "-c", SIGN_IN, db_url, redis_url, prefix, str(count)],
            capture_output=True, text=True, timeout=60, cwd=BASE_DIR, env=env, check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    try:
        assert wrong_passwords(3) == [401, 401, 401]
        # Another worker counts the first three: two more tries, then the account is held for this address.
        assert wrong_passwords(3) == [401, 401, 429]
    finally:
        server = redis.Redis.from_url(redis_url)
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)


class _Production(ProductionConfig):
    SECRET_KEY = "a-real-secret-from-the-environment-32-bytes-or-more"
    DIRECTORY_BASE_URL = "https://directory.example.org"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS = {}
    SEARCH_POLL_SECONDS = 0


def test_production_refuses_per_process_limits_unless_told_one_process_serves():
    class InMemory(_Production):
        RATELIMIT_STORAGE_URI = "memory://"

    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI") as refused:
        create_app(InMemory)
    assert "RATELIMIT_SINGLE_WORKER" in str(refused.value)

    class OneWorker(InMemory):
        RATELIMIT_SINGLE_WORKER = True

    class Shared(_Production):
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"

    create_app(OneWorker)
    create_app(Shared)


def _gunicorn_conf(monkeypatch, app_env="development", **settings):
    # The config classes read the environment once, at import, as they do when gunicorn starts.
    monkeypatch.setenv("APP_ENV", app_env)
    for name, value in settings.items():
        monkeypatch.setattr(ProductionConfig, name, value)
    return runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))


def _master(workers):
    return SimpleNamespace(cfg=SimpleNamespace(workers=workers))


def test_gunicorn_refuses_several_production_workers_that_would_each_count_alone(monkeypatch):
    conf = _gunicorn_conf(
        monkeypatch, "production", RATELIMIT_STORAGE_URI="memory://", RATELIMIT_SINGLE_WORKER=True
    )
    with pytest.raises(RuntimeError, match="4 gunicorn workers"):
        conf["on_starting"](_master(4))
    conf["on_starting"](_master(1))

    shared = _gunicorn_conf(monkeypatch, "production", RATELIMIT_STORAGE_URI="redis://redis.internal/0")
    shared["on_starting"](_master(4))
    development = _gunicorn_conf(monkeypatch)
    development["on_starting"](_master(4))  # `make serve` on a laptop


def test_gunicorn_exits_with_the_reason_before_serving(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(BASE_DIR),
        "APP_ENV": "production",
        "SECRET_KEY": "s" * 64,
        "DIRECTORY_BASE_URL": "https://directory.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_SINGLE_WORKER": "1",
        "WEB_CONCURRENCY": "3",
        "GUNICORN_PRELOAD": "0",
        "GUNICORN_BIND": "127.0.0.1:0",
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        capture_output=True, text=True, timeout=60, cwd=BASE_DIR, env=env, check=False,
    )
    assert result.returncode != 0
    assert "3 gunicorn workers" in result.stderr and "RATELIMIT_STORAGE_URI" in result.stderr
