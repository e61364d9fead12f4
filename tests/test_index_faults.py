"""Index faults are survived (issue 15): a lost or damaged index version is rebuilt, never a
crash loop; /readyz reports it; a version a running server uses is never pruned; a read-only
INDEX_DIR is one clear line."""

import errno
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
import requests

from api import create_app
from api.content.loader import load_store
from api.search import versions
from api.search.index import META_FILE, open_or_build
from api.search.versions import IndexDirError

from .conftest import PACK, ROOT, start_gunicorn
from .helpers import assert_problem

KNEE = ["knee-injection", "knee-pain", "knee-pain-basics"]


def _workers(master: int) -> set[int]:
    children = set()
    for task in os.listdir(f"/proc/{master}/task"):
        with open(f"/proc/{master}/task/{task}/children") as handle:
            children.update(int(pid) for pid in handle.read().split())
    return children


def _wait(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_new_worker_rebuilds_a_deleted_index_and_the_master_stays_up(tmp_path):
    index_dir = tmp_path / "index"
    env = {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(index_dir), "ACCESS_LOG": "false"}
    process, base = start_gunicorn(env, workers=1)
    try:
        assert base, process.communicate()[1]
        assert requests.get(f"{base}/readyz", timeout=10).status_code == 200
        shutil.rmtree(index_dir)  # an operator's mistake, or a disk replaced under the server
        # the running worker still serves from its open files, but is no longer ready
        ready = requests.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 503
        assert ready.headers["Content-Type"] == "application/problem+json"
        assert ready.json()["detail"] == "The search index is missing or damaged."
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
        (old,) = _workers(process.pid)
        os.kill(old, signal.SIGKILL)
        new = _wait(lambda: _workers(process.pid) - {old})
        assert new

        def searched():
            try:
                response = requests.get(f"{base}/v1/search", params={"q": "knee"}, timeout=10)
            except requests.ConnectionError:
                return None
            return response if response.status_code == 200 else None

        response = _wait(searched)
        assert sorted(item["slug"] for item in response.json()["items"]) == KNEE
        assert requests.get(f"{base}/readyz", timeout=10).status_code == 200
        assert process.poll() is None  # the master never exited
        store = load_store(PACK)
        assert (versions.path_of(index_dir, store.version) / META_FILE).is_file()
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert "Worker failed to boot" not in stderr
    assert "cannot be opened" in stderr and "rebuilding" in stderr


def test_gunicorn_starts_over_a_damaged_tables_file(tmp_path):
    """Before: "Worker failed to boot" on every start; now the master rebuilds the version."""
    index_dir = tmp_path / "index"
    create_app({"CONTENT_DIR": str(PACK), "INDEX_DIR": str(index_dir)})
    tables = versions.path_of(index_dir, load_store(PACK).version) / "tables.pickle"
    tables.write_bytes(b"garbage")
    env = {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(index_dir), "ACCESS_LOG": "false"}
    process, base = start_gunicorn(env, workers=1)
    try:
        assert base, process.communicate()[1]
        response = requests.get(f"{base}/v1/search", params={"q": "knee"}, timeout=10)
        assert sorted(item["slug"] for item in response.json()["items"]) == KNEE
        assert tables.read_bytes() != b"garbage"
    finally:
        process.terminate()
        process.communicate(timeout=30)


@pytest.fixture
def app_and_dir(tmp_path):
    index_dir = tmp_path / "index"
    app = create_app({"CONTENT_DIR": str(PACK), "INDEX_DIR": str(index_dir)})
    return app, index_dir


def test_readyz_is_503_when_the_version_directory_is_gone(app_and_dir):
    app, index_dir = app_and_dir
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    shutil.rmtree(app.extensions["content"].search.path)
    body = assert_problem(client.get("/readyz"), 503)
    assert body["detail"] == "The search index is missing or damaged."
    assert client.get("/healthz").status_code == 200


def test_readyz_is_503_when_a_segment_is_damaged_while_running(app_and_dir):
    app, _ = app_and_dir
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    path = app.extensions["content"].search.path
    for segment in path.glob("*.seg"):  # damaged in place: the open file sees it
        size = segment.stat().st_size
        with open(segment, "r+b") as handle:
            handle.write(b"\xff" * size)
    assert_problem(client.get("/readyz"), 503)
    assert client.get("/healthz").status_code == 200


def test_a_worker_rebuilds_a_version_deleted_after_start_up(tmp_path):
    """The in-process half of the gunicorn test: a process that opens the index after its
    directory was deleted (a new worker) rebuilds it once and serves."""
    store = load_store(PACK)
    backend = open_or_build(store, tmp_path)
    shutil.rmtree(backend.path)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a new worker: forked after the loss
        try:
            calls = []
            backend.warm(progress=calls.append)
            ok = backend.document_count() == 6 and calls[-1] == 4
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)  # so a child that failed reads as b""
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert (backend.path / META_FILE).is_file() and versions.is_ours(backend.path)


@pytest.mark.parametrize(
    "damaged", ["tables.pickle", "suggest.pickle", "frequencies.pickle", "vocabulary.json"]
)
def test_garbage_in_any_file_means_a_rebuild_at_start_up(tmp_path, damaged):
    index_dir = tmp_path / "index"
    create_app({"CONTENT_DIR": str(PACK), "INDEX_DIR": str(index_dir)})
    store = load_store(PACK)
    (versions.path_of(index_dir, store.version) / damaged).write_bytes(b"\x80garbage\x00" * 10)
    app = create_app({"CONTENT_DIR": str(PACK), "INDEX_DIR": str(index_dir)})
    response = app.test_client().get("/v1/search?q=knee")
    assert response.status_code == 200
    assert sorted(item["slug"] for item in response.get_json()["items"]) == KNEE
    assert app.test_client().get("/readyz").status_code == 200


@pytest.mark.parametrize("name", ["versions.json", "seen.json"])
@pytest.mark.parametrize("text", ["[]", '{"a": 1}', "\x00\x01", '{"x": [1]}'])
def test_damaged_records_of_earlier_starts_are_ignored(tmp_path, name, text):
    index_dir = tmp_path / "index"
    create_app({"CONTENT_DIR": str(PACK), "INDEX_DIR": str(index_dir)})
    (index_dir / name).write_text(text)
    app = create_app({"CONTENT_DIR": str(PACK), "INDEX_DIR": str(index_dir)})
    assert app.test_client().get("/readyz").status_code == 200
    assert app.test_client().get("/v1/articles").headers["Last-Modified"]


def test_a_damaged_recorded_manifest_means_a_full_sync(tmp_path):
    index_dir = tmp_path / "index"
    app = create_app({"CONTENT_DIR": str(PACK), "INDEX_DIR": str(index_dir)})
    (index_dir / "manifests" / "0123456789abcdef.json").write_text("[]")
    response = app.test_client().get("/v1/changes?since=0123456789abcdef")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["meta"]["reset"] is True


def test_prune_never_removes_a_version_a_running_server_uses(tmp_path):
    made = []
    for number in range(5):
        with versions.locked(tmp_path):
            made.append(versions.create(tmp_path, f"v{number}", lambda p: None))
        stamp = time.time() - 100 + number
        os.utime(made[-1], (stamp, stamp))
    versions.lease(tmp_path, made[0])  # this process: a running server on the oldest version
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    stale = tmp_path / versions.LEASES / f"{os.uname().nodename}.{int(dead.stdout)}"
    stale.write_text(f"{made[1].name}\n12345\n")  # a server that has exited
    remote = tmp_path / versions.LEASES / "other-host.4242"
    remote.write_text(f"{made[2].name}\n999\n")  # INDEX_DIR shared with another host
    with versions.locked(tmp_path):
        removed = versions.prune(tmp_path, made[4], keep=0)
    assert set(removed) == {made[1], made[3]}
    assert all(path.is_dir() for path in (made[0], made[2], made[4]))
    assert not stale.exists() and remote.exists()
    assert versions.leased(tmp_path) == {made[0].name, made[2].name}


def test_two_newer_deploys_do_not_prune_the_running_version(pack_copy, tmp_path):
    """A server started on version A (a live child process); three deploys later A is still
    there, and gone after that server exits and one more deploy prunes."""
    child = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(pack_copy), str(tmp_path)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    running = child.stdout.readline().strip()
    try:
        article = pack_copy / "articles" / "low-mood-and-sleep.md"
        for number in range(4):
            article.write_text(article.read_text() + f"\n\nEdit {number}.\n")
            open_or_build(load_store(pack_copy), tmp_path)
        assert (tmp_path / running / META_FILE).is_file()
    finally:
        child.communicate("", timeout=30)
    article.write_text(article.read_text() + "\n\nOne more edit.\n")
    open_or_build(load_store(pack_copy), tmp_path)
    assert not (tmp_path / running).exists()


_SERVER = """
import sys
from api.content.loader import load_store
from api.search.index import open_or_build
backend = open_or_build(load_store(sys.argv[1]), sys.argv[2])
print(backend.path.name, flush=True)
sys.stdin.read()
"""


def _refuse_writes(directory, monkeypatch):
    """What a read-only mount does to every write under `directory`: EROFS. Simulated at the
    OS-call layer: the tests run as root, whom chmod does not stop, and mounting needs
    privileges CI does not have."""
    import builtins
    import io
    import tempfile

    directory = os.path.realpath(directory)

    def inside(path):
        return os.path.realpath(os.fspath(path)).startswith(directory)

    def refuse(path):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))

    real_open = builtins.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and set(mode) & set("wax+") and inside(file):
            refuse(file)
        return real_open(file, mode, *args, **kwargs)

    def guard(function):
        def guarded(path, *args, **kwargs):
            if inside(path):
                refuse(path)
            return function(path, *args, **kwargs)

        return guarded

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    for name in ("mkdir", "replace", "rename", "unlink", "rmdir"):
        monkeypatch.setattr(os, name, guard(getattr(os, name)))
    monkeypatch.setattr(tempfile, "mkdtemp", guard(lambda dir=None, **kw: dir))


def test_a_read_only_index_dir_with_new_content_is_one_clear_error(
    pack_copy, tmp_path, monkeypatch
):
    index_dir = tmp_path / "index"
    create_app({"CONTENT_DIR": str(pack_copy), "INDEX_DIR": str(index_dir)})
    _refuse_writes(index_dir, monkeypatch)
    # unchanged content: served from what INDEX_DIR holds, nothing written
    app = create_app({"CONTENT_DIR": str(pack_copy), "INDEX_DIR": str(index_dir)})
    assert app.test_client().get("/readyz").status_code == 200
    article = pack_copy / "articles" / "low-mood-and-sleep.md"
    article.write_text(article.read_text() + "\n\nAn edit.\n")
    with pytest.raises(IndexDirError) as raised:
        create_app({"CONTENT_DIR": str(pack_copy), "INDEX_DIR": str(index_dir)})
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"INDEX_DIR {index_dir} cannot be written (Read-only file system")
    assert "flask search reindex" in message


def test_the_cli_and_start_up_exit_non_zero_with_one_line(pack_copy, tmp_path):
    index_dir = tmp_path / "index"
    create_app({"CONTENT_DIR": str(pack_copy), "INDEX_DIR": str(index_dir)})
    article = pack_copy / "articles" / "low-mood-and-sleep.md"
    article.write_text(article.read_text() + "\n\nAn edit.\n")
    env = {**os.environ, "CONTENT_DIR": str(pack_copy), "INDEX_DIR": str(index_dir)}
    result = subprocess.run(
        [sys.executable, "-c", _READ_ONLY_CLI],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Refusing to start: INDEX_DIR {index_dir} cannot be written")
    assert "Traceback" not in result.stderr


_READ_ONLY_CLI = """
import os, sys
import pytest
from tests.test_index_faults import _refuse_writes
patch = pytest.MonkeyPatch()
_refuse_writes(os.environ["INDEX_DIR"], patch)
sys.argv = ["flask", "--app", "wsgi", "content", "check"]
from flask.cli import main
main()
"""
