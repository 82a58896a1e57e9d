"""The gunicorn configuration: workers from the CPU count, bind from PORT, no query strings logged."""

import runpy

from config import BASE_DIR

CONF = str(BASE_DIR / "gunicorn.conf.py")


def load(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "PORT", "HOST", "GUNICORN_BIND", "ACCESS_LOG", "GUNICORN_PRELOAD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONF)


def test_workers_follow_the_cpu_count_with_a_cap_and_an_override(monkeypatch):
    conf = load(monkeypatch)
    assert conf["default_workers"](1) == 3
    assert conf["default_workers"](2) == 5
    assert conf["default_workers"](64) == 12
    assert conf["workers"] >= 3
    assert load(monkeypatch, WEB_CONCURRENCY="4")["workers"] == 4


def test_binds_to_loopback_on_port_from_the_environment(monkeypatch):
    assert load(monkeypatch)["bind"] == "127.0.0.1:8000"
    assert load(monkeypatch, PORT="9123")["bind"] == "127.0.0.1:9123"
    assert load(monkeypatch, PORT="9123", HOST="0.0.0.0")["bind"] == "0.0.0.0:9123"  # noqa: S104


def test_access_log_has_the_path_without_query_string_or_client_details(monkeypatch):
    conf = load(monkeypatch)
    fmt = conf["access_log_format"]
    assert "%(U)s" in fmt
    # r = request line, q = query string, h = remote address, f = referrer, a = user agent, u = user.
    for atom in ("%(r)s", "%(q)s", "%(h)s", "%(f)s", "%(a)s", "%(u)s", "%({x-forwarded-for}i)s"):
        assert atom not in fmt
    assert conf["timeout"] > 0 and conf["graceful_timeout"] > 0


def test_the_access_log_format_renders_without_the_query(monkeypatch):
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    conf = load(monkeypatch)
    cfg = Config()
    cfg.set("access_log_format", conf["access_log_format"])
    logger = Logger(cfg)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/search", "QUERY_STRING": "q=tina&postcode=SW9",
               "RAW_URI": "/search?q=tina&postcode=SW9", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "198.51.100.7"}
    response = SimpleNamespace(status="200 OK", response_length=10, headers=[], sent=10)
    request = SimpleNamespace(headers=[])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=12))
    line = conf["access_log_format"] % atoms
    assert '"path":"/search"' in line and "tina" not in line and "198.51.100.7" not in line


def test_each_worker_freezes_its_loaded_heap_and_collects_young_objects_less_often(monkeypatch):
    import gc

    conf = load(monkeypatch, GC_GEN0_THRESHOLD="5000")
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        conf["post_worker_init"](worker=None)
        assert gc.get_threshold() == (5000, 20, 20)
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_master_warms_the_app_once_before_forking_unless_told_not_to(monkeypatch, seeded_app):
    import gc
    from types import SimpleNamespace

    assert load(monkeypatch, GUNICORN_PRELOAD="0")["preload_app"] is False
    conf = load(monkeypatch)
    assert conf["preload_app"] is True
    frozen = gc.get_freeze_count()
    try:
        conf["when_ready"](SimpleNamespace(app=SimpleNamespace(wsgi=lambda: seeded_app)))
        assert seeded_app.extensions["search"].index._segments  # the index's per-segment data is read
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
