"""The README's two commands are the ones the Makefile and CI use; settings are documented."""

import re

from api.config import Config

from .conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_readme_names_the_two_commands():
    assert re.search(r"^make run$", README, re.MULTILINE)
    assert re.search(r"^make test$", README, re.MULTILINE)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.MULTILINE)


def test_makefile_defines_both_targets_with_install():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run: \$\(STAMP\)$", makefile, re.MULTILINE)
    assert re.search(r"^test: \$\(STAMP\)$", makefile, re.MULTILINE)
    assert "gunicorn -c gunicorn.conf.py wsgi:app" in makefile
    assert "pytest" in makefile and "ruff check" in makefile


def test_every_setting_is_documented():
    settings = [name for name in dir(Config) if name.isupper() and not name.startswith("OPENAPI")]
    missing = [name for name in settings if f"`{name}`" not in README]
    assert not missing, f"settings missing from the README: {missing}"
