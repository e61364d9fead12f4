"""Request ids and one JSON access-log line per request.

A client's X-Request-ID is echoed when it looks like an id (so a frontend can correlate its own
logs); anything else gets a fresh one. The log line carries the path without the query string,
so nothing a client puts in a URL (or a key someone pasted there) is written to the logs.
"""

import os
import random
import re
import time

import orjson
from flask import Response, current_app, g, request

_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
STDERR = 2


def _new_id() -> str:
    # A correlation id, not a secret: the Mersenne Twister (reseeded in every forked worker)
    # is unique enough and avoids a getrandom() system call per request.
    return f"{random.getrandbits(128):032x}"


def configure(app) -> None:
    app.extensions["access_log"] = bool(app.config["ACCESS_LOG"])


def request_id(supplied: str) -> str:
    return supplied if _ID.match(supplied) else _new_id()


def start() -> None:
    g.started = time.perf_counter()
    g.request_id = request_id(request.headers.get("X-Request-ID", ""))


def write(method: str, path: str, status: int, started: float, request_id: str, memo=None) -> None:
    line = {
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        "request_id": request_id,
    }
    if memo is not None:
        line["memo"] = memo
    # One write(2) of one line: atomic between workers sharing stderr, and a fraction of
    # the cost of the logging module on every request.
    os.write(STDERR, orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE))


def finish(response: Response) -> None:
    rid = getattr(g, "request_id", None) or _new_id()
    response.headers["X-Request-ID"] = rid
    if current_app.extensions["access_log"]:
        started = getattr(g, "started", time.perf_counter())
        write(request.method, request.path, response.status_code, started, rid, _memo())


def _memo() -> str | None:
    """ "hit" when the memo answered, "miss" when a view made a content response, else None."""
    if g.get("memo_hit"):
        return "hit"
    return "miss" if g.get("content_response") else None
