"""The one owner of INDEX_DIR's layout for search indexes: naming a version's directory,
creating one atomically, finding it, and pruning old ones.

INDEX_DIR/<content version>-<schema version>/ holds one complete index. A version is created in
a temporary sibling directory and renamed into place, under a file lock, so concurrent processes
(gunicorn workers without preload, a CLI reindex) create it once and readers only ever see a
finished one. Every directory this module creates carries MARKER; pruning removes only marked
directories, so whatever else lives in INDEX_DIR (the change feed's `manifests/`, an operator's
backup, another tool's files) is never touched.

A running server holds a lease on the version it serves (LEASES/<host>.<pid>, naming the
version): prune never removes a leased version, so two newer deploys cannot delete what an older
server still reads. A lease of a process that no longer runs on this host is stale, ignored and
removed; a lease from another host (INDEX_DIR on shared storage) is always honoured.
"""

import fcntl
import logging
import os
import shutil
import socket
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .format import SCHEMA_VERSION

MARKER = ".search-index"  # in every directory created here: what prune may remove
KEEP_OLD = 2  # older versions kept for processes still reading them
LOCK_FILE = ".lock"
LEASES = ".leases"  # one file per running server: which version it serves
log = logging.getLogger(__name__)


class IndexDirError(Exception):
    """INDEX_DIR cannot be written where start-up must write it (new content, a damaged
    version): one line for the operator, not an OSError's traceback."""


def path_of(index_dir, version: str) -> Path:
    """Where the index of content `version` lives (whether or not it exists yet)."""
    return Path(index_dir) / f"{version}-{SCHEMA_VERSION}"


@contextmanager
def locked(index_dir):
    """The build lock over INDEX_DIR (one builder at a time, across processes)."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_FILE, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _marked_directory(index_dir: Path, prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=index_dir))
    (path / MARKER).write_text(SCHEMA_VERSION)
    return path


def create(index_dir, version: str, write) -> Path:
    """Create the version's directory atomically: `write(path)` fills a temporary marked
    directory, which is then renamed into place (replacing a damaged copy). Call under
    locked(index_dir). Nothing half-written is ever left at the version's path."""
    index_dir = Path(index_dir)
    target = path_of(index_dir, version)
    temporary = _marked_directory(index_dir, ".build-")
    try:
        write(temporary)
        if target.exists():  # a damaged copy: moved aside first, then ours renamed in
            trash = _marked_directory(index_dir, ".trash-")
            target.rename(trash / "old")
            shutil.rmtree(trash, ignore_errors=True)
        os.rename(temporary, target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)  # only left if write or rename failed
    return target


def is_ours(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and (path / MARKER).is_file()


def _process_started(pid: int) -> str | None:
    """The start time of process `pid` (tells a live process from a reused pid), None if it
    does not run."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)  # no /proc: whether the pid runs at all
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return "?"


def lease(index_dir, path: Path) -> None:
    """Record that this process serves version `path` (replacing its earlier lease).

    Best effort: where INDEX_DIR cannot be written, nothing can prune it either."""
    leases = Path(index_dir) / LEASES
    pid = os.getpid()
    record = f"{Path(path).name}\n{_process_started(pid)}\n"
    try:
        leases.mkdir(exist_ok=True)
        temporary = leases / f".tmp-{pid}"
        temporary.write_text(record)
        os.replace(temporary, leases / f"{socket.gethostname()}.{pid}")
    except OSError as exc:
        log.info("no lease on %s (%s)", path, exc.strerror)


def leased(index_dir) -> set[str]:
    """Names of the versions running servers hold leases on; stale leases are removed."""
    held, host = set(), socket.gethostname()
    for file in (Path(index_dir) / LEASES).glob("*.*"):
        owner, _, pid = file.name.rpartition(".")
        try:
            name, started = file.read_text().split("\n")[:2]
        except (OSError, ValueError):
            continue  # being replaced right now, or unreadable: not ours to judge
        if owner == host and pid.isdigit() and _process_started(int(pid)) not in (started, "?"):
            file.unlink(missing_ok=True)  # that server is gone (or its pid reused)
            continue
        held.add(name)
    return held


def prune(index_dir, current: Path, keep: int = KEEP_OLD) -> list[Path]:
    """Remove index directories this module created, except `current`, versions a running
    server holds a lease on, and the `keep` most recently modified others; leftovers of
    interrupted builds go too. Call under locked(index_dir). Returns what was removed."""
    index_dir, current = Path(index_dir), Path(current)
    in_use = leased(index_dir)
    ours = [p for p in index_dir.iterdir() if p != current and p.name not in in_use and is_ours(p)]
    leftovers = [p for p in ours if p.name.startswith((".build-", ".trash-"))]
    versions = sorted(
        (p for p in ours if p not in leftovers), key=lambda p: p.stat().st_mtime, reverse=True
    )
    removed = leftovers + versions[keep:]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed
