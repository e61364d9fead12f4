"""`flask content check`: validates without serving, non-zero exit listing every error."""

import os
import subprocess
import sys

from .conftest import ROOT
from .test_loader import install


def run_check(content_dir) -> subprocess.CompletedProcess:
    env = {**os.environ, "CONTENT_DIR": str(content_dir)}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "content", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_passes_on_valid_pack(pack_copy):
    result = run_check(pack_copy)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: 4 articles, 2 conditions, 2 treatments, 3 tags")


def test_check_lists_every_error_and_exits_non_zero(pack_copy):
    install(pack_copy, "article_missing_title.md", "treatment_bad_kind.md")
    result = run_check(pack_copy)
    assert result.returncode == 1
    assert "2 content error(s)" in result.stderr
    assert "articles/article_missing_title.md:2: title: Missing data for required field." in (
        result.stderr
    )
    assert "treatments/treatment_bad_kind.md:8: kind: Must be one of" in result.stderr
