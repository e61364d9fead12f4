"""The framework's ceiling for benchmarks/throughput.py: bare Flask (no flask-smorest, no hooks)
answering each benchmarked path with a precomputed JSON body, and an empty 304 with the ETag when
the request's If-None-Match is that path's ETag.

    BARE_BODIES=spec.json gunicorn -c gunicorn.conf.py benchmarks.bare_app:app

spec.json maps a path (no query string) to {"body": the real app's JSON text, "etag": its ETag}.
"""

import json
import os
from types import SimpleNamespace

from flask import Flask, Response, abort, request

with open(os.environ["BARE_BODIES"], encoding="utf-8") as handle:
    SPEC = {path: (v["body"].encode(), v["etag"]) for path, v in json.load(handle).items()}

app = Flask(__name__)
# gunicorn.conf.py's post_worker_init opens the real app's search index: give it a no-op.
app.extensions["content"] = SimpleNamespace(search=SimpleNamespace(warm=lambda **_: None))


@app.get("/<path:path>")
def serve(path: str) -> Response:
    found = SPEC.get("/" + path)
    if found is None:
        abort(404)
    body, etag = found
    if request.headers.get("If-None-Match") == etag:
        return Response(status=304, headers={"ETag": etag})
    return Response(body, mimetype="application/json")
