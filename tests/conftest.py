import shutil
from pathlib import Path

import pytest

from api import create_app

FIXTURES = Path(__file__).parent / "fixtures"
PACK = FIXTURES / "pack"  # a small valid content pack with a draft and a scheduled entry
BROKEN = FIXTURES / "content"  # single broken files, named for what they break
ROOT = Path(__file__).parent.parent
LIVE_KEY = "ck_live-test-key"  # a partner key the live server knows (tests only)
LIVE_PARTNERS = (
    '[{"name": "live-partner", "key_sha256": "'
    + __import__("hashlib").sha256(LIVE_KEY.encode()).hexdigest()
    + '", "rate_limit": "3 per minute"}]'
)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("index")
    return create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(PACK),
            "INDEX_DIR": str(index_dir),
            "RATELIMIT_DEFAULT": "100000 per minute",  # the suite itself is one busy client
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def bundled_app(tmp_path_factory):
    """The app on the clinic's real content pack in content/."""
    index_dir = tmp_path_factory.mktemp("bundled-index")
    return create_app(
        {"TESTING": True, "INDEX_DIR": str(index_dir), "RATELIMIT_DEFAULT": "100000 per minute"}
    )


@pytest.fixture
def bundled_client(bundled_app):
    return bundled_app.test_client()


@pytest.fixture
def pack_copy(tmp_path):
    """A writable copy of the valid fixture pack, for tests that break one file."""
    target = tmp_path / "content"
    shutil.copytree(PACK, target)
    return target


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env_overrides: dict, workers: int = 2):
    """A real gunicorn (the project's gunicorn.conf.py) on a free loopback port."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    port = free_port()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": str(workers), **env_overrides}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return process, None
        try:
            urllib.request.urlopen(base + "/v1/site", timeout=1).read()
            return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL of gunicorn with 2 workers serving the fixture pack over real HTTP."""
    index_dir = tmp_path_factory.mktemp("live-index")
    env = {
        "CONTENT_DIR": str(PACK),
        "INDEX_DIR": str(index_dir),
        "RATELIMIT_DEFAULT": "100000 per minute",
        "PARTNER_KEYS": LIVE_PARTNERS,
        # stderr is a pipe nobody reads while the server runs: a full pipe (64 KiB of access-log
        # lines, a few hundred requests) would block the workers' writes and so the server.
        "ACCESS_LOG": "false",
    }
    process, base = start_gunicorn(env)
    assert base, process.communicate()[1]
    yield base
    process.terminate()
    process.communicate(timeout=30)
