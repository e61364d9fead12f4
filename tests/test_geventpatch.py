"""api/geventpatch.py: gevent's patching of a new worker, its plugin look-ups read once."""

import importlib.metadata
import subprocess
import sys

from api.geventpatch import entry_points_read_once

from .conftest import ROOT

GEVENT_GROUPS = ("gevent.plugins.monkey.will_patch_all", "gevent.plugins.monkey.did_patch_all")


def test_look_ups_find_what_the_metadata_holds_and_the_function_is_restored():
    original = importlib.metadata.entry_points
    expected = {
        group: sorted(original(group=group)) for group in (*GEVENT_GROUPS, "console_scripts")
    }
    assert expected["console_scripts"]  # gunicorn's, at least: the comparison below means something
    with entry_points_read_once():
        assert importlib.metadata.entry_points is not original
        found = {group: sorted(importlib.metadata.entry_points(group=group)) for group in expected}
    assert found == expected
    assert importlib.metadata.entry_points is original


def test_patch_all_patches_what_gunicorns_gevent_worker_would():
    """In a fresh interpreter (patching cannot be undone): after patch_all(), every module gevent
    patches by default is patched, the metadata function is gevent-free again, and the worker's
    own patch_all() has nothing left to do (no plugin look-up at all)."""
    script = """
import importlib.metadata, socket, threading
original = importlib.metadata.entry_points
from api.geventpatch import patch_all
patch_all()
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
