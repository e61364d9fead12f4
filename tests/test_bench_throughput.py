"""benchmarks/throughput.py's ceiling, benchmarks/bare_app.py, under the real gunicorn.conf.py with
each worker class the benchmark measures: it must boot through the same post_worker_init as the
app (a stand-in that stopped matching it once made the whole benchmark fail) and answer as the
benchmark checks it (the body, an empty 304 for its ETag)."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from benchmarks.throughput import WORKER_NOTES

from .conftest import ROOT, free_port

BODY = '{"title":"A page"}'
ETAG = '"abc123"'


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.parametrize("worker_class", sorted(WORKER_NOTES))
def test_bare_app_boots_under_gunicorn_conf_and_answers(tmp_path, worker_class):
    spec = tmp_path / "bodies.json"
    spec.write_text(json.dumps({"/v1/page": {"body": BODY, "etag": ETAG}}))
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {"PORT": str(port), "WEB_CONCURRENCY": "1", "WORKER_CLASS": worker_class}
    env |= {"BARE_BODIES": str(spec), "PATH": "/usr/bin:/bin"}
    argv = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "benchmarks.bare_app:app"]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                status, headers, body = _get(base + "/v1/page")
                break
            except OSError:
                time.sleep(0.05)
        assert (status, headers["Content-Type"], body) == (200, "application/json", BODY.encode())
        status, headers, body = _get(base + "/v1/page", {"If-None-Match": ETAG})
        assert (status, headers["ETag"], body) == (304, ETAG, b"")
        assert _get(base + "/v1/other")[0] == 404
        assert f"Using worker: {worker_class}" in log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_cpu_table_requests_go_through_the_wsgi_callable(app):
    """`--cpu` times wsgi_get: a real answer of the app, 200 then 304 for its own ETag."""
    from benchmarks.throughput import wsgi_get

    etag = app.test_client().get("/v1/site").headers["ETag"]
    assert wsgi_get(app, "/v1/site", {}) == 200
    assert wsgi_get(app, "/v1/site", {"If-None-Match": etag}) == 304
    assert wsgi_get(app, "/v1/conditions?per_page=nope", {}) == 400
