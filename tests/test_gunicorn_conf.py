"""gunicorn.conf.py's patching of a new gevent worker, its plugin look-ups read once."""

import gc
import importlib.metadata
import runpy
import subprocess
import sys

import pytest

from .conftest import ROOT


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
