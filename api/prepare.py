"""A first start on new content, done in a child process so the server's master stays small.

Loading Markdown and building the index allocate hundreds of MB of short-lived objects. Freed,
they leave the master's heap fragmented, and every worker forks from the master and inherits it:
measured at MedQuAD's size, a master that built in-process held 364 MB (297 MB after
malloc_trim), one that started from the snapshot the build wrote 190 MB. So when INDEX_DIR has no
snapshot of this content yet, wsgi.py first has a forked child run create_app() (load, validate,
build the index, write the snapshot) and exit; the master's own create_app() then starts from the
snapshot, as any restart does. When the snapshot is there, nothing is forked.

A child that fails (invalid content, an unwritable INDEX_DIR) just exits non-zero: the master's
create_app() then meets the same problem and reports it with every detail.
"""

import os
import sys
from pathlib import Path

from .config import Config, from_environment
from .content.fingerprint import stat_fingerprint
from .content.snapshot import known_version
from .search.format import STORE_FILE
from .search.versions import path_of


def _setting(config: dict | None, name: str):
    config = config or {}
    return config[name] if name in config else from_environment().get(name, getattr(Config, name))


# The fingerprint build_in_child() just took, handed to the create_app() that follows it in
# this process (wsgi.py), which takes it once: a start stats the content's files once, not twice
# (tens of milliseconds at MedQuAD's size). Only when no child ran: nothing can have changed
# the files between the two calls but an edit racing the start, as within create_app itself.
_checked: dict[str, str] = {}


def take_fingerprint(content_dir) -> str | None:
    """The fingerprint build_in_child() took of `content_dir` just before, if any (once)."""
    return _checked.pop(os.path.abspath(content_dir), None)


def _fingerprint_and_snapshot(config: dict | None) -> tuple[str, bool]:
    index_dir = _setting(config, "INDEX_DIR")
    fingerprint = stat_fingerprint(_setting(config, "CONTENT_DIR"))
    version = known_version(index_dir, fingerprint)
    found = version is not None and (path_of(Path(index_dir), version) / STORE_FILE).is_file()
    return fingerprint, found


def has_snapshot(config: dict | None = None) -> bool:
    """Whether an earlier start left this content's snapshot in INDEX_DIR (a few ms: file stats)."""
    return _fingerprint_and_snapshot(config)[1]


def build_in_child(config: dict | None = None) -> int | None:
    """Run create_app(config) in a forked child when this content has no snapshot yet; returns
    the child's exit status, or None when nothing was needed."""
    fingerprint, found = _fingerprint_and_snapshot(config)
    if found:
        _checked[os.path.abspath(_setting(config, "CONTENT_DIR"))] = fingerprint
        return None
    pid = os.fork()
    if pid == 0:  # the child: build, then leave without running the parent's exit handlers
        status = 1
        try:
            from . import create_app

            create_app(config)
            status = 0
        except BaseException:  # noqa: BLE001 - the parent's own create_app() reports it
            pass
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
