"""gunicorn.conf.py: the patching of a new gevent worker (its plugin look-ups read once), and a
sync worker's output held until its response is whole (reset, not cut short, if it dies)."""

import gc
import importlib.metadata
import os
import runpy
import select
import signal
import socket
import subprocess
import sys
import time

import pytest

from .conftest import ROOT, free_port


@pytest.fixture
def conf():
    """gunicorn.conf.py's names (loading it turns the collector off, as in gunicorn's master)."""
    enabled = gc.isenabled()
    try:
        yield runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        if enabled:
            gc.enable()


GEVENT_GROUPS = ("gevent.plugins.monkey.will_patch_all", "gevent.plugins.monkey.did_patch_all")


def test_look_ups_find_what_the_metadata_holds_and_the_function_is_restored(conf):
    original = importlib.metadata.entry_points
    expected = {
        group: sorted(original(group=group)) for group in (*GEVENT_GROUPS, "console_scripts")
    }
    assert expected["console_scripts"]  # gunicorn's, at least: the comparison below means something
    with conf["entry_points_read_once"]():
        assert importlib.metadata.entry_points is not original
        found = {group: sorted(importlib.metadata.entry_points(group=group)) for group in expected}
    assert found == expected
    assert importlib.metadata.entry_points is original


def test_patch_gevent_patches_what_gunicorns_gevent_worker_would():
    """In a fresh interpreter (patching cannot be undone): after patch_gevent(), every module gevent
    patches by default is patched, the metadata function is restored, and the worker's
    own patch_all() has nothing left to do (no plugin look-up at all)."""
    script = """
import importlib.metadata, runpy, socket, sys, threading
original = importlib.metadata.entry_points
runpy.run_path("gunicorn.conf.py")["patch_gevent"]()
assert "api" not in sys.modules  # any app's worker patches without importing this one
from gevent import monkey
import gevent.socket
modules = ("socket", "ssl", "select", "_thread", "threading", "time", "os", "subprocess", "signal")
assert all(monkey.is_module_patched(name) for name in modules), modules
assert socket.socket is gevent.socket.socket
assert importlib.metadata.entry_points is original
calls = []
importlib.metadata.entry_points = lambda **params: calls.append(params) or original(**params)
monkey.patch_all()
print(len(calls))
"""
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"  # nothing left to patch, so nothing announced


# A WSGI app whose answer to /slow is written in two parts with a pause between them (the pause
# in which a replica dies), and to anything else at once. Its stand-in for the content extension
# lets gunicorn.conf.py's post_worker_init run as it does for the real app.
TWO_WRITES_APP = """
import os, time
from types import SimpleNamespace

MARK = os.environ["MARK"]
FIRST, REST = b'{"part": "first", ', b'"then": "rest"}'


def app(environ, start_response):
    length = str(len(FIRST + REST))
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", length)])
    if environ["PATH_INFO"] != "/slow":
        return [FIRST + REST]
    return parts()


def parts():
    yield FIRST  # gunicorn has written the head and this part when the generator resumes
    with open(MARK + ".tmp", "w") as mark:
        mark.write(str(os.getpid()))
    os.rename(MARK + ".tmp", MARK)
    time.sleep(30)
    yield REST


app.extensions = {"content": SimpleNamespace(search=SimpleNamespace(warm=lambda progress: None))}
"""


@pytest.fixture
def two_writes_server(tmp_path):
    """gunicorn.conf.py with one sync worker (as a replica behind nginx runs) serving
    TWO_WRITES_APP; yields (port, path of the mark the worker writes between its two parts)."""
    (tmp_path / "two_writes.py").write_text(TWO_WRITES_APP)
    port, mark = free_port(), tmp_path / "mark"
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "MARK": str(mark),
        "WORKER_CLASS": "sync",
        "WEB_CONCURRENCY": "1",
        "BIND": f"127.0.0.1:{port}",
    }
    argv = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "two_writes:app"]
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while _answer(port, "/") is None:
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.05)
        yield port, mark
    finally:
        server.kill()
        server.wait(timeout=10)
        log.close()


def _answer(port: int, path: str) -> bytes | None:
    """All bytes of one HTTP/1.1 answer, or None when the server is not listening yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
            received = b""
            while chunk := client.recv(65536):
                received += chunk
            return received
    except ConnectionRefusedError:
        return None


def test_a_sync_worker_killed_mid_response_resets_the_connection_before_sending_anything(
    two_writes_server,
):
    """What nginx needs to retry a request on another replica: nothing of the answer has left
    when the worker dies between its writes, and the connection is reset (an error before any
    header), instead of a head followed by a cut-short body. Fails without the hooks: the head
    and the first part arrive at once, then the connection just closes."""
    port, mark = two_writes_server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(b"GET /slow HTTP/1.1\r\nHost: test\r\n\r\n")
        deadline = time.monotonic() + 10
        while not mark.exists():
            assert time.monotonic() < deadline, "the worker never wrote its first part"
            time.sleep(0.001)
        readable, _, _ = select.select([client], [], [], 0.05)
        assert readable == []  # written by the worker, held by the kernel
        os.kill(int(mark.read_text()), signal.SIGKILL)
        with pytest.raises(ConnectionResetError):
            client.recv(65536)


def test_a_sync_worker_releases_its_whole_answer_and_closes_normally(two_writes_server):
    """The hold ends with the response: every byte of it arrives, then the end of the stream."""
    port, _ = two_writes_server
    answer = _answer(port, "/")
    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert body == b'{"part": "first", "then": "rest"}'
