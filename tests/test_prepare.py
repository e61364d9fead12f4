"""prepare.py: a first start on new content loads and indexes it in a child process, so the
server's master (whose heap every worker inherits) starts from the snapshot."""

import os
import subprocess
import sys

from api.prepare import build_in_child, has_snapshot

from .conftest import PACK, ROOT
from .test_loader import install

LOADED = "import sys, wsgi; print('api.content.loader' in sys.modules, wsgi.app.name)"


def test_the_master_never_loads_markdown_on_a_first_start(tmp_path):
    env = {**os.environ, "CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path / "index")}
    assert not has_snapshot({"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path / "index")})
    result = subprocess.run(
        [sys.executable, "-c", LOADED], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    # the app is served, and this process started from the child's snapshot: the Markdown
    # loader (imported only for a full load) was never imported here
    assert result.stdout.split() == ["False", "api"]
    assert has_snapshot({"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path / "index")})


def test_nothing_is_forked_once_the_snapshot_is_there(tmp_path):
    config = {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path / "index")}
    assert build_in_child(config) == 0
    assert has_snapshot(config)
    assert build_in_child(config) is None


def test_a_child_that_fails_leaves_the_report_to_the_master(pack_copy, tmp_path):
    install(pack_copy, "article_missing_title.md")
    config = {"CONTENT_DIR": str(pack_copy), "INDEX_DIR": str(tmp_path / "index")}
    assert build_in_child(config) == 1
    assert not has_snapshot(config)  # the master's own create_app() meets the errors and lists
    # them (tests/test_gunicorn.py: test_invalid_content_stops_start_up_listing_every_error)


def test_a_start_stats_the_content_once(tmp_path, monkeypatch):
    """build_in_child() finds the snapshot and hands its fingerprint to the create_app() that
    follows (as wsgi.py runs them): the content's files are stat'ed once, not twice. The hand-over
    is taken once: a later create_app() takes its own fingerprint."""
    import api
    from api import create_app

    config = {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path / "index")}
    create_app(config)  # leaves the snapshot
    calls = []
    original = api.stat_fingerprint
    monkeypatch.setattr(api, "stat_fingerprint", lambda d: calls.append(d) or original(d))
    assert build_in_child(config) is None
    create_app(config)
    assert calls == []
    create_app(config)
    assert calls == [str(PACK)]
